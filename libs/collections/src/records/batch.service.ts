import { Injectable } from '@nestjs/common';
import { AppError, hashPassword, toProblem, validateBody, type Principal } from '@plinth/core';
import { CollectionsRegistry } from '../registry/collections.registry.js';
import { withTransaction } from './pg.js';
import { RecordEvents } from './record-events.js';
import { RecordsRepository } from './records.repository.js';
import { type BatchScope, type PasswordHashes, RecordsService } from './records.service.js';
import { exempt, WriteLimits } from './write-limits.js';

type BatchRequest = { method: string; url: string; body?: unknown };

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
          method: { type: 'string', enum: ['POST', 'PATCH', 'DELETE'] },
          url: { type: 'string', maxLength: 2048 },
          body: {},
        },
      },
    },
  },
};

const RECORD_URL = /^\/api\/collections\/([^/?#]+)\/records(?:\/([^/?#]+))?\/?$/;

/** The collection and record id a batched request's URL names; throws 400 for any other URL. */
function target(r: BatchRequest): { collection: string; id?: string } {
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

function targetOrNone(r: BatchRequest): { collection: string; id?: string } | undefined {
  try {
    return target(r);
  } catch {
    return undefined; // answered as this request's failure inside the batch
  }
}

/** PocketBase's batch: `{requests: [{method, url, body}]}` → `[{status, body}]`, one transaction. */
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
    return this.limits.batch(ip, principal, () => this.runLimited(body, principal, ip));
  }

  private async runLimited(
    body: unknown,
    principal: Principal,
    ip: string,
  ): Promise<Array<{ status: number; body: unknown }>> {
    const count = (body as { requests?: unknown[] } | null)?.requests?.length ?? 0;
    if (count > MAX_BATCH) {
      throw new AppError(
        'BATCH_TOO_LARGE',
        `A batch holds at most ${MAX_BATCH} requests; this one has ${count}. Split it.`,
      );
    }
    const { requests } = validateBody<{ requests: BatchRequest[] }>(batchSchema, body);
    const creates = new Map<string, number>();
    for (const r of requests) {
      const to = r.method === 'POST' ? targetOrNone(r) : undefined;
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
        try {
          out.push(await this.one(r, principal, batch));
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
      return out;
    });
    for (const change of scope.events) this.events.emit(change);
    // Stored files that the batch's updates and deletes dropped.
    for (const work of scope.afterCommit ?? []) await work();
    return results;
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
      const to = targetOrNone(r);
      if (!to || !this.registry.find(to.collection)?.isAuth) continue;
      hashes.set(r.body!, { password, hash: await hashPassword(password) });
    }
    return hashes;
  }

  private async one(r: BatchRequest, principal: Principal, batch: BatchScope) {
    const { collection, id } = target(r);
    if (r.method === 'POST' && !id)
      return { status: 200, body: await this.records.create(collection, r.body ?? {}, principal, batch) };
    if (r.method === 'PATCH' && id)
      return { status: 200, body: await this.records.update(collection, id, r.body ?? {}, principal, batch) };
    if (r.method === 'DELETE' && id) {
      await this.records.delete(collection, id, principal, batch);
      return { status: 204, body: null };
    }
    throw new AppError('BAD_REQUEST', `${r.method} is not allowed on ${r.url.slice(0, 200)}.`);
  }
}
