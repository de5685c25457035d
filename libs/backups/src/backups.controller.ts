import { Controller, Delete, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiAnswer, ApiNoContent, AppError, RequireAdmin } from '@plinth/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  backupListSchema,
  backupSchema,
  restoreReportSchema,
  runningBackupSchema,
} from './backups.schemas.js';
import { BackupsService } from './backups.service.js';
import { RestoreService } from './restore.service.js';

interface FilePart {
  type: 'file' | 'field';
  fieldname: string;
  filename?: string;
  file?: NodeJS.ReadableStream;
}
type MaybeMultipart = FastifyRequest & { isMultipart?: () => boolean; parts?: () => AsyncIterable<FilePart> };

/** Backups (admins): make, list, download, upload, restore and delete archives of the whole install. */
@ApiTags('backups')
@Controller('api/backups')
@RequireAdmin()
export class BackupsController {
  constructor(
    private readonly backups: BackupsService,
    private readonly restores: RestoreService,
  ) {}

  @Get()
  @ApiAnswer(backupListSchema, 200, 'The archives, newest first, and the backup being written (if any).')
  listBackups() {
    return this.backups.list();
  }

  /** Starts a backup and answers at once; `GET /api/backups` shows its progress until it is listed. */
  @Post()
  @HttpCode(202)
  @ApiAnswer(runningBackupSchema, 202, 'The backup is being written; 409 BACKUP_BUSY while another runs.')
  createBackup() {
    return this.backups.start();
  }

  /** Keeps an uploaded archive once its manifest, sizes and checksums prove it whole (400 BACKUP_INVALID otherwise). */
  @Post('upload')
  @HttpCode(201)
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    required: true,
    description: 'multipart/form-data with the backup archive as the `file` part.',
    schema: {
      type: 'object',
      required: ['file'],
      properties: { file: { type: 'string', format: 'binary' } },
    },
  })
  @ApiAnswer(backupSchema, 201, 'The uploaded archive, now in the backup location.')
  async uploadBackup(@Req() req: MaybeMultipart) {
    const refuse = () =>
      new AppError(
        'BACKUP_INVALID',
        'Send the backup archive as multipart/form-data in a part named "file".',
      );
    if (!req.isMultipart?.() || !req.parts) throw refuse();
    let saved;
    for await (const part of req.parts()) {
      if (part.type !== 'file' || !part.file) continue;
      if (part.fieldname !== 'file' || saved) {
        part.file.resume();
        continue;
      }
      saved = await this.backups.upload(part.file as never, part.filename);
    }
    if (!saved) throw refuse();
    return saved;
  }

  @Get(':name')
  @ApiProduces('application/zip')
  @ApiResponse({
    status: 200,
    description: 'The archive, as an attachment.',
    content: { 'application/zip': { schema: { type: 'string', format: 'binary' } } },
  })
  async downloadBackup(@Param('name') name: string, @Res() reply: FastifyReply) {
    const file = await this.backups.download(name);
    return reply
      .header('content-type', 'application/zip')
      .header('content-length', String(file.size))
      .header('content-disposition', `attachment; filename="${name}"`)
      .header('cache-control', 'no-store')
      .send(file.body);
  }

  /**
   * Replaces the whole install with the archive (every replica answers 503 MAINTENANCE meanwhile).
   * 400 BACKUP_INVALID (corrupted, forged, unsafe entries) or BACKUP_TOO_NEW, and nothing changed.
   */
  @Post(':name/restore')
  @HttpCode(200)
  @ApiAnswer(restoreReportSchema, 200, 'Restored.')
  restoreBackup(@Param('name') name: string) {
    return this.restores.restore(name);
  }

  @Delete(':name')
  @HttpCode(204)
  @ApiNoContent('The archive is deleted.')
  deleteBackup(@Param('name') name: string) {
    return this.backups.delete(name);
  }
}
