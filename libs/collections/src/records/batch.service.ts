import { Injectable } from '@nestjs/common';
import { AppError, toProblem, validateBody, type Principal } from '@plinth/core';
import { withTransaction } from './pg.js';
import { RecordEvents } from './record-events.js';
import { RecordsRepository } from './records.repository.js';
import { type BatchScope, RecordsService } from './records.service.js';

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

/** PocketBase's batch: `{requests: [{method, url, body}]}` → `[{status, body}]`, one transaction. */
@Injectable()
export class BatchService {
  constructor(
    private readonly records: RecordsService,
    private readonly repository: RecordsRepository,
    private readonly events: RecordEvents,
  ) {}

  async run(body: unknown, principal: Principal): Promise<Array<{ status: number; body: unknown }>> {
    const count = (body as { requests?: unknown[] } | null)?.requests?.length ?? 0;
    if (count > MAX_BATCH) {
      throw new AppError(
        'BATCH_TOO_LARGE',
        `A batch holds at most ${MAX_BATCH} requests; this one has ${count}. Split it.`,
      );
    }
    const { requests } = validateBody<{ requests: Array<{ method: string; url: string; body?: unknown }> }>(
      batchSchema,
      body,
    );
    const scope: Omit<BatchScope, 'client'> = { events: [], afterCommit: [] };
    const results = await withTransaction(this.repository.pool, async (client) => {
      const batch: BatchScope = { client, events: scope.events, afterCommit: scope.afterCommit };
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

  private async one(
    r: { method: string; url: string; body?: unknown },
    principal: Principal,
    batch: BatchScope,
  ) {
    const m = RECORD_URL.exec(r.url.split('?')[0]!);
    if (!m) {
      throw new AppError(
        'BAD_REQUEST',
        'Only /api/collections/{collection}/records[/{id}] URLs can be batched.',
      );
    }
    let collection: string;
    let id: string | undefined;
    try {
      collection = decodeURIComponent(m[1]!);
      id = m[2] ? decodeURIComponent(m[2]) : undefined;
    } catch {
      throw new AppError('BAD_REQUEST', `The URL ${r.url.slice(0, 200)} is not correctly percent-encoded.`);
    }
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
