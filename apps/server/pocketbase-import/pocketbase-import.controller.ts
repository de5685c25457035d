import { createWriteStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Controller, HttpCode, Inject, Post, Query, Req } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiTags } from '@nestjs/swagger';
import {
  ApiAnswer,
  ApiStringQuery,
  AppError,
  PLINTH_CONFIG,
  RequireAdmin,
  type ResolvedConfig,
} from '@plinth/core';
import type { FastifyRequest } from 'fastify';
import { importReportSchema } from './pocketbase-import.schemas.js';
import { PocketBaseImportService } from './pocketbase-import.service.js';

interface FilePart {
  type: 'file' | 'field';
  fieldname: string;
  filename?: string;
  file?: NodeJS.ReadableStream;
}
type MaybeMultipart = FastifyRequest & { isMultipart?: () => boolean; parts?: () => AsyncIterable<FilePart> };

/** The console's "Import from PocketBase": a backup zip in, the report out (dry run first, then for real). */
@ApiTags('settings')
@Controller('api/import')
@RequireAdmin()
export class PocketBaseImportController {
  constructor(
    private readonly imports: PocketBaseImportService,
    @Inject(PLINTH_CONFIG) private readonly config: ResolvedConfig,
  ) {}

  /**
   * Imports a PocketBase backup zip into this fresh install (`dryRun=true`: only the report). 409
   * IMPORT_TARGET_NOT_FRESH when collections or users exist; 400 IMPORT_SOURCE_INVALID for a file
   * that is no PocketBase backup; 422 IMPORT_FAILED when its data cannot be carried over.
   */
  @Post('pocketbase')
  @HttpCode(200)
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    required: true,
    description: 'multipart/form-data with the PocketBase backup zip as the `file` part.',
    schema: {
      type: 'object',
      required: ['file'],
      properties: { file: { type: 'string', format: 'binary' } },
    },
  })
  @ApiStringQuery('dryRun', '"true": report what would be imported and change nothing.')
  @ApiAnswer(importReportSchema as never, 200, 'The import report (nothing changed when dryRun is true).')
  async importPocketBase(@Req() req: MaybeMultipart, @Query('dryRun') dryRun?: string) {
    if (!req.isMultipart?.() || !req.parts) {
      throw new AppError(
        'IMPORT_SOURCE_INVALID',
        'Send the PocketBase backup zip as multipart/form-data in a part named "file".',
      );
    }
    const dir = join(this.config.dataDir, 'tmp');
    mkdirSync(dir, { recursive: true });
    const upload = mkdtempSync(join(dir, 'pb-upload-'));
    try {
      let name: string | undefined;
      for await (const part of req.parts()) {
        if (part.type !== 'file' || !part.file) continue;
        if (part.fieldname !== 'file' || name) {
          part.file.resume();
          continue;
        }
        name = part.filename || 'backup.zip';
        await pipeline(part.file, createWriteStream(join(upload, 'backup.zip')));
      }
      if (!name)
        throw new AppError(
          'IMPORT_SOURCE_INVALID',
          'No file was sent: add the backup zip as the "file" part.',
        );
      return await this.imports.run(join(upload, 'backup.zip'), { dryRun: dryRun === 'true', label: name });
    } finally {
      rmSync(upload, { recursive: true, force: true });
    }
  }
}
