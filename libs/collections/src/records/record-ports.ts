import { Injectable } from '@nestjs/common';
import { AppError } from '@plinth/core';
import type { Readable } from 'node:stream';
import type { PoolClient } from 'pg';
import type { CompiledCollection } from '../registry/compiled-collection.js';
import type { RecordChange } from './record-events.js';
import type { Row } from './record-sql.js';

/** Passwords a batch hashed before its transaction, by the request body that sets them. */
export type PasswordHashes = WeakMap<object, { password: string; hash: string }>;

/** A running batch: its transaction client and the events to emit after it commits. */
export interface BatchScope {
  client: PoolClient;
  events: RecordChange[];
  /** Work to do once the batch committed (deleting stored files of removed or replaced files). */
  afterCommit?: Array<() => Promise<void>>;
  passwordHashes?: PasswordHashes;
}

/** One part of a multipart/form-data body, as @fastify/multipart yields it. */
export type FormPart =
  | {
      type: 'field';
      fieldname: string;
      value: unknown;
      valueTruncated?: boolean;
      fieldnameTruncated?: boolean;
    }
  | { type: 'file'; fieldname: string; filename: string; mimetype: string; file: Readable };

/** A multipart body after it was read: the record body (file fields hold the uploads' stored names). */
export interface ReceivedForm {
  recordId: string;
  body: Record<string, unknown>;
  /** Stored names of this request's uploads. */
  uploaded: string[];
  /** Puts held uploads into storage; called once the rule allowed the write (nothing to do if streamed there). */
  store(): Promise<void>;
  /** Deletes this request's uploads, held or stored, after the write failed. Never throws. */
  discard(): Promise<void>;
}

/** The uploads a write carries: their names, and how to store them once the write is allowed. */
export type Uploads = Pick<ReceivedForm, 'uploaded' | 'store'>;

/** The storage side of file fields, provided by the storage lib (RecordFilesPort). */
export interface RecordFiles {
  /**
   * Reads the form: file parts go under the record's prefix (`recordId`, or a new id for a create),
   * the other parts become the record body. With `hold`, files are kept out of storage until `store()`
   * (a rule is still to judge the write); else streamed there at once. Leaves nothing when it throws.
   */
  receive(
    c: CompiledCollection,
    parts: AsyncIterable<FormPart>,
    recordId: string | undefined,
    opts?: { hold?: boolean },
  ): Promise<ReceivedForm>;
  /** Deletes a record's stored files: the names given (with their thumbnails), or all of them. Never throws. */
  remove(collectionId: string, recordId: string, names?: string[]): Promise<void>;
}

export interface ListResult {
  page: number;
  perPage: number;
  totalItems: number;
  totalPages: number;
  items: Row[];
}

/** Where the records code reaches the storage lib, which plugs itself in at boot (`RecordsService.useFiles`). */
@Injectable()
export class RecordFilesPort {
  private files?: RecordFiles;

  use(files: RecordFiles): void {
    this.files = files;
  }

  /** The storage side, when file fields are enabled on this server. */
  get current(): RecordFiles | undefined {
    return this.files;
  }

  require(): RecordFiles {
    if (!this.files) {
      throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'File uploads are not enabled on this server; send JSON.');
    }
    return this.files;
  }
}
