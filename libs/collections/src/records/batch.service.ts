import { Injectable } from '@nestjs/common';
import { AppError, hashPassword, toProblem, validateBody, type Principal } from '@plinth/core';
import { type BufferedFile, readBatchForm, recordFormParts } from './batch-form.js';
import { type Queryable, withTransaction } from './pg.js';
import { RecordEvents } from './record-events.js';
import { RecordsRepository } from './records.repository.js';
import {
  type BatchScope,
  type FormPart,
  type PasswordHashes,
  type ReceivedForm,
  RecordsService,
} from './records.service.js';
import { currentRequestInfo, runWithRequestInfo } from './request-info.js';
import { exempt, WriteLimits } from './write-limits.js';
import { CollectionsRegistry } from '../registry/collections.registry.js';

export const MAX_BATCH = 100;

export const batchSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['requests'],
  properties: {
    requests: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['method', 'url'],
        properties: {
          method: {
            type: 'string',
            enum: ['POST', 'PUT', 'PATCH', 'DELETE'],
            description:
              "PUT upserts: it updates the record with the body's id when one exists, else creates it.",
          },
          url: { type: 'string', maxLength: 2048 },
          body: {},
          headers: { type: 'object', description: 'Accepted for PocketBase clients and ignored.' },
        },
      },
    },
  },
};

const RECORD_URL = /^\/api\/collections\/([^/?#]+)\/records(?:\/([^/?#]+))?\/?$/;

type BatchRequest = { method: string; url: string; body?: unknown };

interface Target {
  collection: string;
  id?: string;
}

/**
 * PocketBase's batch: `{requests: [{method, url, body}]}` → `[{status, body}]`, one transaction. Also
 * its multipart form (`@jsonPayload` plus `requests.<index>.<field>` files), which its SDK always sends.
 */
@Injectable()
export class BatchService {
  constructor(
    private readonly records: RecordsService,
    private readonly repository: RecordsRepository,
    private readonly events: RecordEvents,
    private readonly registry: CollectionsRegistry,
    private readonly limits: WriteLimits,
  ) {}

  /** `ip`: the client's, for the per-IP batch and sign-up limits. */
  async run(
    body: unknown,
    principal: Principal,
    ip: string,
  ): Promise<Array<{ status: number; body: unknown }>> {
    return this.limits.batch(ip, principal, () =>
      this.runRequests(this.requestsOf(body), principal, ip, new Map()),
    );
  }

  /** The multipart form: files are held until their request's rule allowed it; if the batch fails they are deleted. */
  async runForm(
    parts: AsyncIterable<FormPart>,
    principal: Principal,
    ip: string,
  ): Promise<Array<{ status: number; body: unknown }>> {
    return this.limits.batch(ip, principal, () => this.runFormLimited(parts, principal, ip));
  }

  private async runFormLimited(
    parts: AsyncIterable<FormPart>,
    principal: Principal,
    ip: string,
  ): Promise<Array<{ status: number; body: unknown }>> {
    const form = await readBatchForm(parts);
    const requests = this.requestsOf(form.payload);
    const uploads = new Map<number, ReceivedForm>();
    try {
      for (const [index, files] of form.files) {
        const r = requests[index];
        if (!r) {
          throw new AppError(
            'MULTIPART_INVALID',
            `Files name request ${index}, which the batch does not have.`,
          );
        }
        await this.fail(index, r, () => this.storeFiles(r, files, index, uploads));
      }
      return await this.runRequests(requests, principal, ip, uploads);
    } catch (err) {
      await this.removeUploads(uploads);
      throw err;
    }
  }

  private requestsOf(body: unknown): BatchRequest[] {
    const count = (body as { requests?: unknown[] } | null)?.requests?.length ?? 0;
    if (count > MAX_BATCH) {
      throw new AppError(
        'BATCH_TOO_LARGE',
        `A batch holds at most ${MAX_BATCH} requests; this one has ${count}. Split it.`,
      );
    }
    return validateBody<{ requests: BatchRequest[] }>(batchSchema, body).requests;
  }

  private async runRequests(
    requests: BatchRequest[],
    principal: Principal,
    ip: string,
    uploads: Map<number, ReceivedForm>,
  ): Promise<Array<{ status: number; body: unknown }>> {
    const creates = new Map<string, number>();
    for (const r of requests) {
      const to = r.method === 'POST' || r.method === 'PUT' ? this.targetOrNone(r) : undefined;
      if (to && !to.id) creates.set(to.collection, (creates.get(to.collection) ?? 0) + 1);
    }
    for (const [collection, n] of creates) await this.limits.signUps(collection, n, ip, principal);
    // Hashing takes tens of milliseconds per password: never while the transaction holds a connection.
    const passwordHashes = await this.hashPasswords(requests, principal);
    const scope: Omit<BatchScope, 'client'> = { events: [], afterCommit: [], passwordHashes };
    const results = await withTransaction(this.repository.pool, async (client) => {
      const batch: BatchScope = { client, ...scope };
      const out: Array<{ status: number; body: unknown }> = [];
      for (const [index, r] of requests.entries()) {
        // PocketBase judges each item by its own method (`@request.method`), in context "batch".
        const info = { ...currentRequestInfo(), method: r.method, context: 'batch' };
        const work = () => this.one(r, principal, batch, uploads.get(index));
        out.push(await this.fail(index, r, () => runWithRequestInfo(info, work)));
      }
      return out;
    });
    for (const change of scope.events) this.events.emit(change);
    // Stored files that the batch's updates and deletes dropped.
    for (const work of scope.afterCommit ?? []) await work();
    return results;
  }

  /** Runs one request's work; a client error becomes BATCH_FAILED naming the request. */
  private async fail<T>(index: number, r: BatchRequest, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      const { problem, internal } = toProblem(err, '');
      // A server-side failure (a bug, the database going away) is not the batch's fault: keep its 5xx.
      if (internal || problem.status >= 500) throw err;
      throw new AppError(
        'BATCH_FAILED',
        `Request ${index} (${r.method} ${r.url.slice(0, 200)}) failed: ${problem.detail} Nothing was changed.`,
        {
          failedIndex: index,
          errors: (problem.errors ?? []).map((e) => ({
            ...e,
            path: e.path ? `requests.${index}.body.${e.path}` : `requests.${index}.body`,
          })),
          response: { status: problem.status, body: { ...problem, requestId: undefined } },
        },
      );
    }
  }

  private target(r: BatchRequest): Target {
    const m = RECORD_URL.exec(r.url.split('?')[0]!);
    if (!m) {
      throw new AppError(
        'BAD_REQUEST',
        'Only /api/collections/{collection}/records[/{id}] URLs can be batched.',
      );
    }
    try {
      return { collection: decodeURIComponent(m[1]!), id: m[2] ? decodeURIComponent(m[2]) : undefined };
    } catch {
      throw new AppError('BAD_REQUEST', `The URL ${r.url.slice(0, 200)} is not correctly percent-encoded.`);
    }
  }

  private targetOrNone(r: BatchRequest): Target | undefined {
    try {
      return this.target(r);
    } catch {
      return undefined; // answered as this request's failure inside the batch
    }
  }

  /**
   * The hash of each password that a create of an auth record in the batch sets (sign-ups were
   * counted against their limit already), and, for admins and keys, of each update's. Anyone else's
   * updates hash inside, after their rules were checked: hashing up front for requests that may be
   * refused would let anyone spend the server's CPU.
   */
  private async hashPasswords(requests: BatchRequest[], principal: Principal): Promise<PasswordHashes> {
    const hashes: PasswordHashes = new WeakMap();
    for (const r of requests) {
      const password = (r.body as { password?: unknown } | null | undefined)?.password;
      if (typeof password !== 'string' || !password || typeof r.body !== 'object') continue;
      if (r.method !== 'POST' && !exempt(principal)) continue;
      const to = this.targetOrNone(r);
      if (!to || !this.registry.find(to.collection)?.isAuth) continue;
      hashes.set(r.body!, { password, hash: await hashPassword(password) });
    }
    return hashes;
  }

  /** The id an upsert names, when a record with it exists (PUT then updates it). */
  private async upsertTarget(
    collection: string,
    body: unknown,
    db: Queryable = this.repository.pool,
  ): Promise<string | undefined> {
    const id = (body as { id?: unknown } | null)?.id;
    const c = this.registry.get(collection);
    if (!c.isId(id)) return undefined;
    return (await this.repository.countExisting(db, c, [id])) > 0 ? id : undefined;
  }

  /** Reads one request's files, held out of storage, and puts their names into its body. */
  private async storeFiles(
    r: BatchRequest,
    files: BufferedFile[],
    index: number,
    uploads: Map<number, ReceivedForm>,
  ): Promise<void> {
    const { collection, id } = this.target(r);
    const body =
      r.body && typeof r.body === 'object' && !Array.isArray(r.body)
        ? (r.body as Record<string, unknown>)
        : {};
    const recordId =
      r.method === 'PATCH' ? id : r.method === 'PUT' ? await this.upsertTarget(collection, body) : undefined;
    if (r.method === 'DELETE' || (r.method === 'PATCH' && !id)) {
      throw new AppError('BAD_REQUEST', `${r.method} ${r.url.slice(0, 200)} takes no files.`);
    }
    const c = this.registry.get(collection);
    const form = await this.records
      .requireFiles()
      .receive(c, recordFormParts(body, files), recordId, { hold: true });
    uploads.set(index, form);
    r.body = form.body;
    if (r.method === 'PUT' && recordId) r.body = { ...form.body, id: recordId };
  }

  private async removeUploads(uploads: Map<number, ReceivedForm>): Promise<void> {
    for (const form of uploads.values()) await form.discard();
  }

  private async one(r: BatchRequest, principal: Principal, batch: BatchScope, files?: ReceivedForm) {
    const { collection, id } = this.target(r);
    if (r.method === 'PUT' && !id) {
      const existing = await this.upsertTarget(collection, r.body, batch.client);
      return existing
        ? {
            status: 200,
            body: await this.records.update(collection, existing, r.body ?? {}, principal, batch, files),
          }
        : { status: 200, body: await this.records.create(collection, r.body ?? {}, principal, batch, files) };
    }
    if (r.method === 'POST' && !id)
      return {
        status: 200,
        body: await this.records.create(collection, r.body ?? {}, principal, batch, files),
      };
    if (r.method === 'PATCH' && id)
      return {
        status: 200,
        body: await this.records.update(collection, id, r.body ?? {}, principal, batch, files),
      };
    if (r.method === 'DELETE' && id) {
      await this.records.delete(collection, id, principal, batch);
      return { status: 204, body: null };
    }
    throw new AppError('BAD_REQUEST', `${r.method} is not allowed on ${r.url.slice(0, 200)}.`);
  }
}
