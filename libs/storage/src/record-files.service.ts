import { Transform } from 'node:stream';
import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  type CompiledCollection,
  DEFAULT_MAX_FILE_SIZE,
  type DroppedFiles,
  type FieldDef,
  type FormPart,
  isMultiple,
  type ReceivedForm,
  type RecordFiles,
} from '@plinth/collections';
import { AppError, PLINTH_CONFIG, type ResolvedConfig } from '@plinth/core';
import type { StorageDriver } from './drivers/storage-driver.js';
import { effectiveType, isStoredName, storedName } from './file-names.js';
import { HeldUploads } from './held-uploads.js';
import { StorageService } from './storage.service.js';

/** PocketBase's part holding the non-file fields as one JSON object. */
export const JSON_PAYLOAD_PART = '@jsonPayload';

const AUTH_BOOL_KEYS = new Set(['emailVisibility']);

export const objectKey = (collectionId: string, recordId: string, name: string): string =>
  `${collectionId}/${recordId}/${name}`;
export const thumbPrefix = (collectionId: string, recordId: string, name: string): string =>
  `${collectionId}/${recordId}/thumbs_${name}/`;

const bad = (
  path: string,
  message: string,
  code: 'MULTIPART_INVALID' | 'FILE_FIELD_INVALID' = 'MULTIPART_INVALID',
) =>
  new AppError(code, `${path ? `${path}: ` : ''}${message}`, {
    errors: [{ path, code: 'INVALID_VALUE', message }],
  });

function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Which file field a part name addresses: `gallery`, `gallery+` (append) or `+gallery` (prepend). */
/** A sent id as the record will have it: UUIDs read lower-cased, text ids as they are. */
const sameId = (c: CompiledCollection, value: unknown): string =>
  c.idType === 'uuid' ? String(value).toLowerCase() : String(value);

function fileTarget(c: CompiledCollection, name: string): { field: FieldDef; key: string } | undefined {
  const bare = name.startsWith('+') ? name.slice(1) : name.endsWith('+') ? name.slice(0, -1) : name;
  const field = c.def.fields.find((f) => f.name === bare && f.type === 'file');
  if (!field) return undefined;
  // Modifiers exist for multi-file fields only; a single file field is simply replaced.
  return { field, key: isMultiple(field) ? name : bare };
}

/**
 * The value of a text part for its field, PocketBase's way: strings stay strings, numbers and bools
 * are parsed, json fields hold JSON text, multi-value fields take one part per value or one JSON array.
 * A part sent as `application/json` arrives parsed and is taken as it is.
 */
function decodeValue(c: CompiledCollection, name: string, raw: unknown): { value: unknown; multi: boolean } {
  const bare = name.startsWith('+')
    ? name.slice(1)
    : name.endsWith('+') || name.endsWith('-')
      ? name.slice(0, -1)
      : name;
  const field = c.def.fields.find((f) => f.name === name) ?? c.def.fields.find((f) => f.name === bare);
  const modifier = field !== undefined && field.name !== name;
  const multi = field !== undefined && isMultiple(field);
  if (typeof raw !== 'string') return { value: raw, multi: multi || modifier };
  if (!field) {
    if (c.isAuth && AUTH_BOOL_KEYS.has(name)) return { value: parseBool(raw), multi: false };
    return { value: raw, multi: false };
  }
  if (multi) {
    if (raw === '') return { value: [], multi: true };
    if (raw.startsWith('[')) {
      try {
        const parsed: unknown = JSON.parse(raw);
        if (Array.isArray(parsed)) return { value: parsed, multi: true };
      } catch {
        throw bad(name, 'starts with "[" but is not a JSON array; send one part per value or a JSON array');
      }
    }
    return { value: [raw], multi: true };
  }
  switch (field.type) {
    case 'number': {
      if (raw.trim() === '') return { value: null, multi: false };
      const n = Number(raw);
      return { value: Number.isFinite(n) ? n : raw, multi: false };
    }
    case 'bool':
      return { value: parseBool(raw), multi: false };
    case 'json':
    case 'geoPoint':
      if (raw === '') return { value: null, multi: false };
      try {
        return { value: JSON.parse(raw), multi: false };
      } catch {
        throw bad(name, 'must hold JSON text (a json or geoPoint field sent in a multipart form)');
      }
    default:
      return { value: raw, multi: false };
  }
}

function parseBool(raw: string): unknown {
  const v = raw.trim().toLowerCase();
  if (v === 'true' || v === '1' || v === 'on') return true;
  if (v === 'false' || v === '0' || v === 'off' || v === '') return false;
  return raw;
}

/** Errors of @fastify/multipart and busboy: the body, not the server, is at fault. */
function multipartProblem(err: unknown): AppError | undefined {
  const e = err as { code?: string; message?: string };
  const message = e?.message ?? '';
  if (e?.code === 'FST_PARTS_LIMIT' || e?.code === 'FST_FILES_LIMIT' || e?.code === 'FST_FIELDS_LIMIT') {
    return new AppError(
      'BODY_TOO_LARGE',
      `The multipart body has too many parts (${message}). Nothing was stored.`,
    );
  }
  if (
    e?.code?.startsWith('FST_') ||
    /multipart|terminated early|Unexpected end|premature|aborted/i.test(message)
  ) {
    return new AppError(
      'MULTIPART_INVALID',
      `The multipart body could not be read (${message || 'it ended early'}). Nothing was stored; send the whole form again.`,
    );
  }
  if (
    (e as { code?: string })?.code === 'ECONNRESET' ||
    (e as { code?: string })?.code === 'ERR_STREAM_PREMATURE_CLOSE'
  ) {
    return new AppError('MULTIPART_INVALID', 'The upload was cut off before it ended. Nothing was stored.');
  }
  return undefined;
}

/** Streams multipart uploads into storage and deletes stored files (RecordsService calls it). */
@Injectable()
export class RecordFilesService implements RecordFiles {
  private readonly logger = new Logger('Files');

  constructor(
    private readonly storage: StorageService,
    @Inject(PLINTH_CONFIG) private readonly config: ResolvedConfig,
  ) {}

  async receive(
    c: CompiledCollection,
    parts: AsyncIterable<FormPart>,
    recordId: string | undefined,
    opts: { hold?: boolean } = {},
  ): Promise<ReceivedForm> {
    // Held: a rule is still to judge the write, so nothing may reach the storage before it did.
    const held = opts.hold ? new HeldUploads() : undefined;
    const driver = held ? undefined : await this.storage.driver();
    const creating = recordId === undefined;
    const body: Record<string, unknown> = {};
    const sent = new Set<string>();
    const counts = new Map<string, number>();
    const uploaded: string[] = [];
    let id = recordId;
    // The text parts together get the JSON body limit (busboy keeps every one of them until the end).
    let textBytes = 0;
    const add = (key: string, value: unknown, multi: boolean) => {
      if (multi) {
        const list = Array.isArray(value) ? value : [value];
        const before = body[key];
        setOwn(body, key, Array.isArray(before) ? [...before, ...list] : list);
      } else {
        if (sent.has(key)) throw bad(key, 'was sent more than once; it takes one value');
        setOwn(body, key, value);
      }
      sent.add(key);
    };
    try {
      for await (const part of parts) {
        const name = part.fieldname;
        if (part.type === 'field') {
          if (part.fieldnameTruncated || part.valueTruncated) {
            throw bad(name.slice(0, 100), 'is too long for a multipart form field');
          }
          textBytes +=
            name.length +
            (typeof part.value === 'string' ? part.value.length : JSON.stringify(part.value).length);
          if (textBytes > this.config.http.bodyLimit) {
            throw new AppError(
              'BODY_TOO_LARGE',
              `The text fields of the form exceed ${this.config.http.bodyLimit} bytes (PLINTH_BODY_LIMIT). Nothing was stored.`,
            );
          }
          if (name === JSON_PAYLOAD_PART) {
            let payload: unknown = part.value;
            if (typeof payload === 'string') {
              try {
                payload = JSON.parse(payload);
              } catch {
                throw bad(JSON_PAYLOAD_PART, 'must be a JSON object');
              }
            }
            if (!payload || typeof payload !== 'object' || Array.isArray(payload)) {
              throw bad(JSON_PAYLOAD_PART, 'must be a JSON object');
            }
            for (const [k, v] of Object.entries(payload)) add(k, v, false);
            continue;
          }
          if (name === 'id' && creating && id !== undefined && sameId(c, part.value) !== id) {
            throw bad(
              'id',
              'must come before the file parts of the form (files are stored under the record id)',
            );
          }
          const { value, multi } = decodeValue(c, name, part.value);
          add(name, value, multi);
          continue;
        }
        const target = fileTarget(c, name);
        if (!target) {
          part.file.resume();
          throw bad(name.slice(0, 100), `is not a file field of "${c.def.name}"`, 'FILE_FIELD_INVALID');
        }
        const { field } = target;
        const max = field.maxSelect ?? 1;
        const count = (counts.get(field.name) ?? 0) + 1;
        counts.set(field.name, count);
        if (count > max) {
          part.file.resume();
          throw new AppError(
            'VALIDATION_FAILED',
            `${field.name} takes at most ${max} file${max === 1 ? '' : 's'} per request. Nothing was stored.`,
            {
              errors: [
                { path: field.name, code: 'TOO_MANY_ITEMS', message: `must have at most ${max} items` },
              ],
            },
          );
        }
        if (id === undefined) {
          const given = body.id;
          id = c.newRecordId(given);
          if (id === undefined)
            throw bad('id', 'is required before the file parts: this collection makes no record ids of its own');
          if (given === undefined) setOwn(body, 'id', id);
        }
        const to = driver ?? (await held!.driver());
        const stored = await this.store(to, c, id, field, part);
        if (!part.filename && stored.size === 0) {
          // Browsers send an empty, nameless part for a file input left empty: nothing was chosen.
          counts.set(field.name, count - 1);
          await to.delete([objectKey(c.def.id, id, stored.name)]);
          continue;
        }
        held?.held(objectKey(c.def.id, id, stored.name), stored.mime);
        uploaded.push(stored.name);
        add(creating ? field.name : target.key, stored.name, isMultiple(field));
      }
      if (creating && uploaded.length && c.isId(body.id) && sameId(c, body.id) !== id) {
        throw bad('id', 'must come before the file parts of the form (files are stored under the record id)');
      }
    } catch (err) {
      if (held) await held.release();
      else if (id !== undefined && uploaded.length) await this.remove(c.def.id, id, uploaded);
      throw multipartProblem(err) ?? err;
    }
    // Without uploads the id is only a name for the form; the record's own id is settled on create.
    id ??= c.newRecordId(body.id) ?? '';
    return this.received(c.def.id, id, body, uploaded, held);
  }

  /** The form with its uploads' next step: stored once the write is allowed, or discarded. */
  private received(
    collectionId: string,
    recordId: string,
    body: Record<string, unknown>,
    uploaded: string[],
    held: HeldUploads | undefined,
  ): ReceivedForm {
    const stored: string[] = [];
    return {
      recordId,
      body,
      uploaded,
      store: async () => {
        if (held) await held.storeInto(await this.storage.driver(), stored);
      },
      discard: async () => {
        if (held) {
          await held.release();
          const names = stored.map((key) => key.slice(key.lastIndexOf('/') + 1));
          if (names.length) await this.remove(collectionId, recordId, names);
        } else if (uploaded.length) await this.remove(collectionId, recordId, uploaded);
      },
    };
  }

  /** Streams one file part to its final key: type checked on its first bytes, size while it flows. */
  private async store(
    driver: StorageDriver,
    c: CompiledCollection,
    recordId: string,
    field: FieldDef,
    part: Extract<FormPart, { type: 'file' }>,
  ): Promise<{ name: string; size: number; mime: string }> {
    const limit = field.maxSize ?? DEFAULT_MAX_FILE_SIZE;
    const { fileTypeStream } = await import('file-type');
    const typed = await fileTypeStream(part.file, { sampleSize: 4100 });
    const original = part.filename || 'file';
    const type = effectiveType(original, typed.fileType);
    const allowed = field.mimeTypes ?? [];
    if (allowed.length && !allowed.includes(type.mime)) {
      typed.destroy();
      part.file.resume();
      throw new AppError(
        'FILE_TYPE_NOT_ALLOWED',
        `${field.name}: "${part.filename.slice(0, 100)}" is ${type.mime} by its content; allowed: ${allowed.join(', ')}. Nothing was stored.`,
        {
          errors: [
            {
              path: field.name,
              code: 'INVALID_TYPE',
              message: `is ${type.mime}; allowed: ${allowed.join(', ')}`,
            },
          ],
        },
      );
    }
    const name = storedName(original, type.ext);
    let size = 0;
    let tooLarge = false;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        if (size > limit) {
          tooLarge = true;
          done(new Error('file too large'));
        } else done(null, chunk);
      },
    });
    typed.on('error', (err) => counter.destroy(err));
    counter.on('error', () => typed.destroy());
    typed.pipe(counter);
    try {
      await driver.put(objectKey(c.def.id, recordId, name), counter, { contentType: type.mime });
    } catch (err) {
      part.file.resume();
      if (tooLarge) {
        throw new AppError(
          'FILE_TOO_LARGE',
          `${field.name}: "${part.filename.slice(0, 100)}" is larger than ${limit} bytes, the field's maxSize. Nothing was stored.`,
          { errors: [{ path: field.name, code: 'TOO_LARGE', message: `must be at most ${limit} bytes` }] },
        );
      }
      const problem = multipartProblem(err);
      if (problem) throw problem;
      this.logger.error(
        `Storing ${field.name} of ${c.def.name}/${recordId} failed: ${(err as Error).message}`,
      );
      throw new AppError(
        'STORAGE_UNAVAILABLE',
        `The file storage did not accept "${part.filename.slice(0, 100)}". Nothing was stored; try again, and if it persists an admin should check the storage settings.`,
        { headers: { 'retry-after': '5' } },
      );
    }
    return { name, size, mime: type.mime };
  }

  async remove(collectionId: string, recordId: string, names?: string[]): Promise<void> {
    try {
      const driver = await this.storage.driver();
      let keys: string[];
      if (!names) {
        keys = await driver.list(`${collectionId}/${recordId}/`);
      } else {
        keys = [];
        for (const name of names) {
          if (!isStoredName(name) && (name.includes('/') || name.includes('\\') || name.startsWith('.')))
            continue;
          keys.push(objectKey(collectionId, recordId, name));
          keys.push(...(await driver.list(thumbPrefix(collectionId, recordId, name))));
        }
      }
      if (keys.length) await driver.delete(keys);
    } catch (err) {
      // The record change stands; the files stay as orphans under the record's prefix.
      this.logger.error(
        `Deleting stored files of ${collectionId}/${recordId} failed (${(err as Error).message}); they remain in storage.`,
      );
    }
  }

  /**
   * Deletes what a committed schema change left without a field: everything under `<collectionId>/` for a
   * deleted collection, else the named files (with their thumbnails) of removed file fields. Never throws.
   */
  async removeDropped(dropped: DroppedFiles): Promise<void> {
    if (!dropped.all) {
      for (const r of dropped.records) await this.remove(dropped.collectionId, r.recordId, r.names);
      return;
    }
    try {
      const driver = await this.storage.driver();
      const keys = await driver.list(`${dropped.collectionId}/`);
      if (keys.length) await driver.delete(keys);
      if (keys.length)
        this.logger.log(
          `Deleted ${keys.length} stored object(s) of deleted collection ${dropped.collectionId}`,
        );
    } catch (err) {
      this.logger.error(
        `Deleting the stored files of deleted collection ${dropped.collectionId} failed (${(err as Error).message}); they remain in storage under "${dropped.collectionId}/".`,
      );
    }
  }
}
