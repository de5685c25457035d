import { Readable } from 'node:stream';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { CollectionsRegistry, type FieldDef, RecordsService, runWithRequestInfo } from '@plinth/collections';
import { AppError, PLINTH_CONFIG, type Principal, type ResolvedConfig } from '@plinth/core';
import type { ByteRange, StorageDriver } from './drivers/storage-driver.js';
import { isStoredName, mimeOfName, servingPolicy, THUMBABLE } from './file-names.js';
import { FileTokensService } from './file-tokens.service.js';
import { objectKey, thumbPrefix } from './record-files.service.js';
import { StorageService } from './storage.service.js';
import { NotAnImageError, parseThumbSpec, SourceTooLargeError, ThumbRenderer } from './thumbs.js';

export interface FileRequest {
  collection: string;
  recordId: string;
  filename: string;
  thumb?: string;
  token?: string;
  range?: string;
  ifNoneMatch?: string;
  /** HEAD: the headers only, no bytes are read from storage. */
  headOnly?: boolean;
}

export interface FileAnswer {
  status: 200 | 206 | 304;
  headers: Record<string, string>;
  body?: Readable;
}

const notFound = () =>
  new AppError('FILE_NOT_FOUND', 'There is no such file, or you may not see the record it belongs to.');

/** Refusals that must not tell whether a record exists: files answer them all as 404. */
const HIDDEN = new Set([
  'RECORD_NOT_FOUND',
  'COLLECTION_NOT_FOUND',
  'ADMIN_REQUIRED',
  'SCOPE_REQUIRED',
  'RULE_REFUSED',
]);

/**
 * One `bytes=a-b` range. A header that is not a single well-formed byte range (another unit, several
 * ranges, `5-2`) is ignored and the whole file served (RFC 9110 §14.2); one outside the file is unsatisfiable.
 */
export function parseRange(
  header: string | undefined,
  size: number,
): ByteRange | 'unsatisfiable' | undefined {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  if (m[2] !== '' && Number(m[2]) < start) return undefined;
  if (start >= size) return 'unsatisfiable';
  return { start, end: m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1) };
}

const PROTECTED_FILE_REQUEST = { query: {}, headers: {}, method: 'GET', context: 'protectedFile' } as const;

/** Serves stored files: view rule, protected tokens, thumbnails, ranges and caching headers. */
@Injectable()
export class FilesService {
  private readonly logger = new Logger('Files');
  private readonly making = new Map<string, Promise<string>>();
  private readonly renderer: ThumbRenderer;

  constructor(
    private readonly registry: CollectionsRegistry,
    private readonly records: RecordsService,
    private readonly storage: StorageService,
    private readonly tokens: FileTokensService,
    @Inject(PLINTH_CONFIG) config: ResolvedConfig,
  ) {
    this.renderer = new ThumbRenderer(config.thumbs);
  }

  async open(req: FileRequest, caller: Principal): Promise<FileAnswer> {
    // A name the server could not have made (path tricks, NUL, look-alikes) names no file.
    if (!isStoredName(req.filename)) throw notFound();
    const principal = req.token !== undefined ? await this.tokens.principalOf(req.token) : caller;
    let record: Record<string, unknown>;
    try {
      const view = () => this.records.view(req.collection, req.recordId, {}, principal);
      // A file token is how a protected file is reached: PocketBase judges it in context "protectedFile".
      record = await this.records.withFreshSchema(() =>
        req.token === undefined ? view() : runWithRequestInfo(PROTECTED_FILE_REQUEST, view),
      );
    } catch (err) {
      if (err instanceof AppError && HIDDEN.has(err.code)) throw notFound();
      throw err;
    }
    const c = this.registry.get(req.collection);
    const field = c.def.fields.find(
      (f) => f.type === 'file' && f.name in record && holds(record[f.name], req.filename),
    );
    if (!field) throw notFound();
    if (field.protected && req.token === undefined) {
      throw new AppError(
        'FILE_TOKEN_REQUIRED',
        `${field.name} is a protected file field: add ?token= with a token from POST /api/files/token.`,
      );
    }
    // A view's file is stored with the source record it comes from (the view's rule was judged above).
    let stored = { collectionId: c.def.id, recordId: String(record.id), field };
    if (c.def.type === 'view') {
      const owner = await this.records.viewFileOwner(c.def.name, field.name, req.filename);
      if (!owner) {
        throw new AppError(
          'FILE_NOT_FOUND',
          `The view's field "${field.name}" does not show a collection's file field straight (or no record of it holds this file), so there is no file to serve; select the file field itself (e.g. "p.${field.name}") in the view query.`,
        );
      }
      stored = owner;
    }
    const { collectionId, recordId } = stored;
    const driver = await this.storage.driver();
    const mime = mimeOfName(req.filename);
    let key = objectKey(collectionId, recordId, req.filename);
    if (req.thumb !== undefined)
      key = await this.thumb(driver, stored.field, collectionId, recordId, req.filename, mime, req.thumb);
    const info = await driver.head(key).catch((err) => this.unavailable(err));
    if (!info) throw notFound();
    const policy = servingPolicy(mime, field);
    const headers: Record<string, string> = {
      'content-type': /^text\/|\/(json|xml)$|\+xml$/.test(mime) ? `${mime}; charset=utf-8` : mime,
      etag: info.etag,
      'last-modified': info.modified.toUTCString(),
      'accept-ranges': 'bytes',
      'x-content-type-options': 'nosniff',
      'cache-control': field.protected
        ? 'private, no-store'
        : c.def.viewRule === ''
          ? 'public, max-age=86400'
          : 'private, max-age=86400',
      'content-disposition': `${policy.disposition}; filename="${req.filename}"`,
      'content-security-policy': policy.csp,
      // Files are meant to be embedded by apps on other sites; access rides on tokens, never cookies.
      'cross-origin-resource-policy': 'cross-origin',
    };
    if (req.ifNoneMatch && req.ifNoneMatch.split(',').some((t) => t.trim() === info.etag)) {
      return { status: 304, headers };
    }
    const range = parseRange(req.range, info.size);
    if (range === 'unsatisfiable') {
      throw new AppError(
        'RANGE_NOT_SATISFIABLE',
        `The file has ${info.size} bytes; the range asked for is outside it.`,
        {
          headers: { 'content-range': `bytes */${info.size}` },
        },
      );
    }
    // HEAD: an empty stream keeps Fastify from setting Content-Length to 0.
    const body = req.headOnly
      ? Readable.from([])
      : await driver.get(key, range).catch((err) => this.unavailable(err));
    if (range) {
      headers['content-range'] = `bytes ${range.start}-${range.end}/${info.size}`;
      headers['content-length'] = String(range.end - range.start + 1);
      return { status: 206, headers, body };
    }
    headers['content-length'] = String(info.size);
    return { status: 200, headers, body };
  }

  /**
   * The key of the thumbnail, made and stored beside the original on first request; the original's
   * key when the size is not the field's, the file is no image, or too large to decode (as PocketBase).
   */
  private async thumb(
    driver: StorageDriver,
    field: FieldDef,
    collectionId: string,
    recordId: string,
    filename: string,
    mime: string,
    size: string,
  ): Promise<string> {
    const original = objectKey(collectionId, recordId, filename);
    // PocketBase's behaviour: a size the field does not list, or a file that is no image, serves the original.
    const spec = parseThumbSpec(size);
    if (!spec || !(field.thumbs ?? []).includes(size) || !THUMBABLE.has(mime)) return original;
    const key = `${thumbPrefix(collectionId, recordId, filename)}${size}_${filename}`;
    if (await driver.head(key).catch((err) => this.unavailable(err))) return key;
    let pending = this.making.get(key);
    if (!pending) {
      pending = (async () => {
        let image: Buffer;
        try {
          image = await this.renderer.render(() => driver.get(original), mime, spec);
        } catch (err) {
          if (err instanceof SourceTooLargeError || err instanceof NotAnImageError) return original;
          throw err;
        }
        await driver.put(key, Readable.from([image]), { contentType: mime });
        return key;
      })().finally(() => this.making.delete(key));
      this.making.set(key, pending);
    }
    return pending.catch((err) => this.unavailable(err));
  }

  private unavailable(err: unknown): never {
    if (err instanceof AppError) throw err;
    if ((err as Error)?.name === 'ObjectNotFound') throw notFound();
    this.logger.error(`The file storage failed: ${(err as Error)?.message ?? String(err)}`);
    throw new AppError('STORAGE_UNAVAILABLE', 'The file storage is not answering. Try again shortly.', {
      headers: { 'retry-after': '5' },
    });
  }
}

function holds(value: unknown, name: string): boolean {
  return Array.isArray(value) ? value.includes(name) : value === name;
}
