import { Readable } from 'node:stream';
import { AppError } from '@plinth/core';
import type { FormPart } from './record-ports.js';

/** Most bytes of files one multipart batch may carry: they are held until the JSON payload is read. */
export const MAX_BATCH_FILE_BYTES = 64 * 1024 * 1024;

export interface BufferedFile {
  key: string;
  filename: string;
  mimetype: string;
  data: Buffer;
}

/** PocketBase's multipart batch: `@jsonPayload` = `{requests}`, files as `requests.<index>.<field>`. */
export interface BatchForm {
  payload: unknown;
  files: Map<number, BufferedFile[]>;
}

const FILE_PART = /^requests\.(\d{1,3})\.(.+)$/;

const bad = (message: string) =>
  new AppError('MULTIPART_INVALID', `The batch form is invalid: ${message}`, {
    errors: [{ path: '(body)', code: 'MULTIPART_INVALID', message }],
  });

/**
 * Reads the whole batch form. The SDK sends the files before the payload that says where they go,
 * so they are held in memory (at most MAX_BATCH_FILE_BYTES) rather than streamed to storage.
 */
export async function readBatchForm(parts: AsyncIterable<FormPart>): Promise<BatchForm> {
  let payload: unknown;
  const files = new Map<number, BufferedFile[]>();
  let total = 0;
  for await (const part of parts) {
    if (part.type === 'field') {
      if (part.fieldname !== '@jsonPayload') throw bad(`unexpected field "${part.fieldname.slice(0, 100)}"`);
      if (part.valueTruncated) throw bad('@jsonPayload is too long');
      try {
        payload = typeof part.value === 'string' ? JSON.parse(part.value) : part.value;
      } catch {
        throw bad('@jsonPayload must be JSON: {"requests": [...]}');
      }
      continue;
    }
    const m = FILE_PART.exec(part.fieldname);
    if (!m) {
      part.file.resume();
      throw bad(`a file part must be named requests.<index>.<field>, not "${part.fieldname.slice(0, 100)}"`);
    }
    const chunks: Buffer[] = [];
    for await (const chunk of part.file as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > MAX_BATCH_FILE_BYTES) {
        throw new AppError(
          'BODY_TOO_LARGE',
          `The files of one batch may hold at most ${MAX_BATCH_FILE_BYTES} bytes. Split the batch.`,
        );
      }
      chunks.push(chunk);
    }
    const index = Number(m[1]);
    const list = files.get(index) ?? [];
    list.push({ key: m[2]!, filename: part.filename, mimetype: part.mimetype, data: Buffer.concat(chunks) });
    files.set(index, list);
  }
  if (payload === undefined) throw bad('the @jsonPayload field is missing');
  return { payload, files };
}

/** One request's body and files as the parts of a record form, for the files service to store. */
export async function* recordFormParts(
  body: Record<string, unknown>,
  files: readonly BufferedFile[],
): AsyncIterable<FormPart> {
  yield { type: 'field', fieldname: '@jsonPayload', value: body };
  for (const f of files) {
    yield {
      type: 'file',
      fieldname: f.key,
      filename: f.filename,
      mimetype: f.mimetype,
      file: Readable.from([f.data]),
    };
  }
}
