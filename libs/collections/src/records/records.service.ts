import { Injectable } from '@nestjs/common';
import { AppError, type Principal } from '@plinth/core';
import { CollectionsRegistry } from '../registry/collections.registry.js';
import type { ListQuery } from './list-query.js';
import { RecordReader, type ViewFileOwner } from './read/record-reader.js';
import {
  type BatchScope,
  type FormPart,
  type ListResult,
  type RecordFiles,
  RecordFilesPort,
  type Uploads,
} from './record-ports.js';
import type { Row } from './record-sql.js';
import { RecordCreator } from './write/record-creator.js';
import { RecordDeleter } from './write/record-deleter.js';
import { RecordUpdater } from './write/record-updater.js';

export type {
  BatchScope,
  FormPart,
  ListResult,
  PasswordHashes,
  ReceivedForm,
  RecordFiles,
  Uploads,
} from './record-ports.js';
export { filterProblem } from './rules/record-rules.js';

/**
 * Records CRUD with rules, validation, expand and relation semantics (DESIGN §3, §4, §10): what the
 * controllers, the batch, realtime and the storage lib call. Reads live in read/, writes in write/,
 * and every rule is judged in rules/record-rules.ts.
 */
@Injectable()
export class RecordsService {
  constructor(
    private readonly registry: CollectionsRegistry,
    private readonly reader: RecordReader,
    private readonly creator: RecordCreator,
    private readonly updater: RecordUpdater,
    private readonly deleter: RecordDeleter,
    private readonly files: RecordFilesPort,
  ) {}

  /** View collections are read-only (their records come from a query). */
  private refuseView(collection: string): void {
    const c = this.registry.find(collection);
    if (c?.def.type !== 'view') return;
    throw new AppError(
      'VIEW_READ_ONLY',
      `"${c.def.name}" is a view collection: its records are read from its query and cannot be created, changed or deleted. Change the records of the collections it reads instead.`,
    );
  }

  /** Called by the storage lib at boot: file uploads and deletions go through it. */
  useFiles(files: RecordFiles): void {
    this.files.use(files);
  }

  requireFiles(): RecordFiles {
    return this.files.require();
  }

  /**
   * Runs `work` again once after reloading the schema when PostgreSQL says a table or column is
   * gone: another replica changed the collection a moment before this one heard of it.
   */
  async withFreshSchema<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code !== '42P01' && code !== '42703') throw err;
      await this.registry.reload();
      return work();
    }
  }

  /** `signal`: aborted when the client went away (the queries are cancelled). */
  list(collection: string, q: ListQuery, principal: Principal, signal?: AbortSignal): Promise<ListResult> {
    return this.reader.list(collection, q, principal, signal);
  }

  view(
    collection: string,
    id: string,
    q: { fields?: string[]; expand?: string },
    principal: Principal,
  ): Promise<Row> {
    return this.reader.view(collection, id, q, principal);
  }

  /** A view's file: the source record it is stored with; see RecordReader.viewFileOwner. */
  viewFileOwner(view: string, field: string, filename: string): Promise<ViewFileOwner | undefined> {
    return this.reader.viewFileOwner(view, field, filename);
  }

  /** Realtime: the record as `principal` may receive it; see RecordReader.viewSnapshot. */
  viewSnapshot(
    collection: string,
    op: 'list' | 'view',
    q: { filter?: string; expand?: string },
    principal: Principal,
    snapshot?: Row,
  ): Promise<Row | undefined> {
    return this.reader.viewSnapshot(collection, op, q, principal, snapshot);
  }

  async create(
    collection: string,
    body: unknown,
    principal: Principal,
    batch?: BatchScope,
    form?: Uploads,
  ): Promise<Row> {
    this.refuseView(collection);
    return this.creator.create(collection, body, principal, batch, form);
  }

  async update(
    collection: string,
    id: string,
    body: unknown,
    principal: Principal,
    batch?: BatchScope,
    form?: Uploads,
  ): Promise<Row> {
    this.refuseView(collection);
    return this.updater.update(collection, id, body, principal, batch, form);
  }

  async delete(collection: string, id: string, principal: Principal, batch?: BatchScope): Promise<void> {
    this.refuseView(collection);
    return this.deleter.delete(collection, id, principal, batch);
  }

  /** Create from multipart/form-data: uploads reach the storage only once the rule allowed the record. */
  async createFromForm(
    collection: string,
    parts: AsyncIterable<FormPart>,
    principal: Principal,
  ): Promise<Row> {
    this.refuseView(collection);
    return this.creator.createFromForm(collection, parts, principal);
  }

  /** Update from multipart/form-data, all or nothing like `createFromForm`. */
  async updateFromForm(
    collection: string,
    id: string,
    parts: AsyncIterable<FormPart>,
    principal: Principal,
  ): Promise<Row> {
    this.refuseView(collection);
    return this.updater.updateFromForm(collection, id, parts, principal);
  }
}
