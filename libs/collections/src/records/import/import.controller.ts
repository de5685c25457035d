import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Controller, HttpCode, Inject, Param, Post, Query, Req, UseInterceptors } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiTags } from '@nestjs/swagger';
import {
  ApiAnswer,
  AppError,
  CurrentPrincipal,
  PLINTH_CONFIG,
  type Principal,
  type ResolvedConfig,
} from '@plinth/core';
import type { FastifyRequest } from 'fastify';
import {
  IMPORT_FORM_DESCRIPTION,
  importFormSchema,
  importReportSchema,
} from '../../openapi/import-openapi.js';
import type { FormPart } from '../record-ports.js';
import { RecordsService } from '../records.service.js';
import { RequestInfoInterceptor } from '../request-info.js';
import { type ImportOptions, RecordImporter } from './record-importer.js';

type MaybeMultipart = FastifyRequest & { isMultipart?: () => boolean; parts?: () => AsyncIterable<FormPart> };

const OPTION_NAMES = ['format', 'mode', 'atomic', 'dryRun', 'mapping'] as const;

function bad(path: string, message: string): AppError {
  return new AppError('RECORDS_IMPORT_INVALID', `${path}: ${message}.`, {
    errors: [{ path, code: 'INVALID_VALUE', message }],
  });
}

function flag(raw: string | undefined, name: string, fallback: boolean): boolean {
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw bad(name, 'must be true or false');
}

/** The import's options from the form's text parts, else the query. */
function importOptions(given: Record<string, string | undefined>) {
  const mode = given.mode || 'insert';
  if (mode !== 'insert' && mode !== 'upsert') throw bad('mode', 'must be insert or upsert');
  let mapping: Record<string, unknown> | undefined;
  if (given.mapping) {
    try {
      mapping = JSON.parse(given.mapping) as Record<string, unknown>;
    } catch {
      throw bad('mapping', 'must be a JSON object of column → field name (null to skip a column)');
    }
    if (!mapping || typeof mapping !== 'object' || Array.isArray(mapping)) {
      throw bad('mapping', 'must be a JSON object of column → field name (null to skip a column)');
    }
  }
  return {
    format: given.format || undefined,
    mode: mode as ImportOptions['mode'],
    atomic: flag(given.atomic, 'atomic', true),
    dryRun: flag(given.dryRun, 'dryRun', false),
    mapping,
  };
}

/** `POST /api/collections/{collection}/records/import`: records from a CSV, JSON, NDJSON or XLSX file. */
@ApiTags('records')
@Controller('api')
@UseInterceptors(RequestInfoInterceptor)
export class ImportController {
  constructor(
    private readonly records: RecordsService,
    private readonly importer: RecordImporter,
    @Inject(PLINTH_CONFIG) private readonly config: ResolvedConfig,
  ) {}

  @Post('collections/:collection/records/import')
  @HttpCode(200)
  @ApiConsumes('multipart/form-data')
  @ApiBody({ required: true, description: IMPORT_FORM_DESCRIPTION, schema: importFormSchema as never })
  @ApiAnswer(importReportSchema as never, 200, 'The import report (nothing written by a dry run).')
  async importRecords(
    @Param('collection') collection: string,
    @Query() query: Record<string, unknown>,
    @CurrentPrincipal() p: Principal,
    @Req() req: MaybeMultipart,
  ) {
    if (!req.isMultipart?.() || !req.parts) {
      throw new AppError(
        'RECORDS_IMPORT_INVALID',
        'Send the file as multipart/form-data in a part named "file" (CSV, JSON, NDJSON or XLSX).',
      );
    }
    const given: Record<string, string | undefined> = {};
    for (const name of OPTION_NAMES) if (typeof query[name] === 'string') given[name] = query[name] as string;
    const dir = join(this.config.dataDir, 'tmp');
    await mkdir(dir, { recursive: true });
    const upload = await mkdtemp(join(dir, 'records-import-'));
    const path = join(upload, 'file');
    try {
      let file: { name: string; type: string; head: Buffer; tooLarge: boolean } | undefined;
      for await (const part of req.parts()) {
        if (part.type === 'field') {
          if (
            (OPTION_NAMES as readonly string[]).includes(part.fieldname) &&
            typeof part.value === 'string'
          ) {
            given[part.fieldname] = part.value;
          }
          continue;
        }
        if (part.fieldname !== 'file' || file) {
          part.file.resume();
          continue;
        }
        file = {
          name: part.filename ?? '',
          type: part.mimetype ?? '',
          head: Buffer.alloc(0),
          tooLarge: false,
        };
        await pipeline(part.file, this.limited(file), createWriteStream(path));
      }
      if (!file) {
        throw new AppError(
          'RECORDS_IMPORT_INVALID',
          'No file was sent: add it as the "file" part of the form.',
        );
      }
      if (file.tooLarge) {
        const max = this.config.limits.importMaxBytes;
        throw new AppError(
          'RECORDS_IMPORT_TOO_LARGE',
          `The file is larger than ${max} bytes, the most one import takes (PLINTH_IMPORT_MAX_BYTES). Split it.`,
        );
      }
      const opts = importOptions(given);
      return await this.records.withFreshSchema(() =>
        this.importer.run(
          collection,
          path,
          { ...opts, fileName: file.name, contentType: file.type, head: file.head },
          p,
          req.ip,
        ),
      );
    } finally {
      await rm(upload, { recursive: true, force: true });
    }
  }

  /**
   * Counts the upload's bytes and keeps its first ones. Past PLINTH_IMPORT_MAX_BYTES the rest is read
   * and dropped (so the client, still sending, reads the 400) and the import is refused.
   */
  private limited(file: { head: Buffer; tooLarge: boolean }): Transform {
    const max = this.config.limits.importMaxBytes;
    let bytes = 0;
    return new Transform({
      transform(chunk: Buffer, _enc, done) {
        bytes += chunk.length;
        if (bytes > max) file.tooLarge = true;
        if (file.tooLarge) return done();
        if (file.head.length < 64)
          file.head = Buffer.concat([file.head, chunk.subarray(0, 64)]).subarray(0, 64);
        done(null, chunk);
      },
    });
  }
}
