import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { PLINTH_CONFIG, Semaphore, type ResolvedConfig } from '@plinth/core';
import { JobHandler, JobsService, type HandlesJob } from '@plinth/jobs';
import { collapseKeyOf } from './providers/collapse-key.js';
import { sendTimeoutMs } from './providers/push-provider.js';
import { PushProviders } from './providers/push-providers.js';
import { PushEvents } from './push-events.js';
import { PushMetrics } from './push-metrics.js';
import {
  PushClaimsRepository,
  type ClaimedDelivery,
  type DeliveryResult,
  type FailedDelivery,
} from './push-claims.repository.js';
import { PushDevicesRepository, type StoredDevice } from './push-devices.repository.js';
import { PushMessagesRepository } from './push-messages.repository.js';
import type { DeliveryOutcome, PushPayload } from './push.types.js';

/** Deliveries taken from PostgreSQL at a time (each claim holds its lease while they are sent). */
const CLAIM_SIZE = 100;
/** Deliveries per job. */
export const DELIVERIES_PER_JOB = 500;

/** Runs `fn` over `items`, at most `limit` at a time. */
async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  });
  await Promise.all(workers);
  return out;
}

/** Enqueues `push.deliver` jobs for deliveries, `DELIVERIES_PER_JOB` per job. */
export async function enqueueDeliveries(
  jobs: JobsService,
  messageId: string,
  deliveryIds: string[],
  opts: { delayMs?: number; tag?: string } = {},
): Promise<void> {
  for (let i = 0; i < deliveryIds.length; i += DELIVERIES_PER_JOB) {
    const chunk = deliveryIds.slice(i, i + DELIVERIES_PER_JOB);
    const hash = createHash('sha1').update(chunk.join(',')).digest('hex').slice(0, 16);
    // The id makes a repeated enqueue of the same work (an idempotent POST, a re-run) a no-op.
    await jobs.enqueue(
      'push.deliver',
      { messageId, deliveryIds: chunk },
      {
        jobId: `push-${messageId}-${hash}-${opts.tag ?? 'first'}`,
        delay: Math.max(0, opts.delayMs ?? 0),
        attempts: 5,
        backoff: { type: 'exponential', delay: 2000 },
      },
    );
  }
}

/**
 * Writes results as they come: whatever accumulated while the previous write ran goes in the next,
 * so a quiet worker records each send at once and a busy one in batches.
 */
class ResultWriter {
  private results: DeliveryResult[] = [];
  private deactivations: Array<{ id: string; reason: string }> = [];
  private running?: Promise<void>;
  private error?: unknown;
  /** Deliveries this writer moved to failed for good. */
  readonly failed: FailedDelivery[] = [];

  constructor(
    private readonly claims: PushClaimsRepository,
    private readonly devices: PushDevicesRepository,
  ) {}

  add(result: DeliveryResult): void {
    this.results.push(result);
    this.running ??= this.drain();
  }

  deactivate(id: string, reason: string): void {
    this.deactivations.push({ id, reason });
  }

  async done(): Promise<void> {
    while (this.running) await this.running;
    await this.devices.deactivate(this.deactivations.splice(0));
    if (this.error) throw this.error;
  }

  private async drain(): Promise<void> {
    try {
      while (this.results.length) this.failed.push(...(await this.claims.record(this.results.splice(0))));
    } catch (err) {
      this.error = err;
    } finally {
      this.running = undefined;
    }
  }
}

/**
 * Sends one job's deliveries. PostgreSQL decides what is due: a job run twice (a killed worker's
 * job picked up again) sends nothing that was recorded as sent. What is not finished when the job
 * ends (retries, rows a dead worker holds) gets a follow-up job for when it becomes due.
 */
@Injectable()
@JobHandler('push.deliver')
export class PushDeliveryHandler implements HandlesJob<'push.deliver'> {
  private readonly logger = new Logger('Push');
  /** Sends in flight in this process, over all the jobs it runs side by side. */
  private readonly sending: Semaphore;

  constructor(
    private readonly claims: PushClaimsRepository,
    private readonly devices: PushDevicesRepository,
    private readonly messages: PushMessagesRepository,
    private readonly providers: PushProviders,
    private readonly jobs: JobsService,
    private readonly metrics: PushMetrics,
    private readonly events: PushEvents,
    @Inject(PLINTH_CONFIG) private readonly config: ResolvedConfig,
  ) {
    this.sending = new Semaphore(config.push.concurrency);
  }

  async handle(data: {
    messageId: string;
    deliveryIds: string[];
  }): Promise<{ sent: number; failed: number; retry: number }> {
    const message = await this.messages.message(data.messageId);
    const tally = { sent: 0, failed: 0, retry: 0 };
    if (!message) return tally;
    const { leaseMs, maxAttempts, concurrency } = this.config.push;
    const payload: PushPayload = {
      ...message.payload,
      collapseKey: message.payload.collapseKey ?? collapseKeyOf(message.id),
    };
    for (let i = 0; i < data.deliveryIds.length; i += CLAIM_SIZE) {
      const chunk = data.deliveryIds.slice(i, i + CLAIM_SIZE);
      // A claim that waited for a send slot until its lease could end mid-send is left to the next
      // claimer (the follow-up job below), so no two workers ever send the same delivery at once.
      const sendBy = Date.now() + Math.max(leaseMs / 2, leaseMs - sendTimeoutMs(leaseMs));
      const { claimed, failed } = await this.claims.claim(data.messageId, chunk, leaseMs, maxAttempts + 3);
      this.reportFailed(data.messageId, failed);
      if (!claimed.length) continue;
      const devices = await this.devices.devicesByIds(
        claimed.flatMap((c) => (c.device_id ? [c.device_id] : [])),
      );
      const writer = new ResultWriter(this.claims, this.devices);
      await mapLimit(claimed, concurrency, async (c) => {
        const device = c.device_id ? devices.get(c.device_id) : undefined;
        let result: DeliveryResult;
        if (!device) result = { id: c.id, status: 'failed', error: 'The device was removed' };
        else if (!device.active) {
          result = {
            id: c.id,
            status: 'failed',
            error: `The device is inactive: ${device.inactiveReason ?? 'deactivated'}`,
          };
        } else {
          const outcome = await this.sending.run(async () =>
            Date.now() < sendBy ? this.sendOne(c, device, payload) : undefined,
          );
          if (!outcome) return;
          if (outcome.kind === 'permanent' && outcome.deactivate)
            writer.deactivate(device.id, outcome.reason);
          result = this.resultOf(c, outcome);
        }
        // Recorded at once, so a worker killed later in the batch does not send this one again.
        writer.add(result);
        const status = result.status === 'pending' ? 'retry' : result.status;
        tally[status]++;
        this.metrics.deliveries.inc({ provider: c.platform, status });
      });
      await writer.done();
      this.reportFailed(data.messageId, writer.failed);
    }
    const due = await this.claims.nextDue(data.messageId, data.deliveryIds);
    if (due !== undefined) {
      // 50 ms past due so the rows are claimable when the follow-up runs.
      await enqueueDeliveries(this.jobs, data.messageId, data.deliveryIds, {
        delayMs: due - Date.now() + 50,
        tag: String(due),
      });
    }
    if (tally.failed)
      this.logger.warn(`Push message ${data.messageId}: ${tally.failed} delivery(ies) failed`);
    if (due === undefined && (await this.claims.completeIfDone(data.messageId))) {
      const counts = (await this.messages.counts([data.messageId])).get(data.messageId)!;
      this.events.emit({ kind: 'message.completed', messageId: data.messageId, counts });
    }
    return tally;
  }

  private reportFailed(messageId: string, failed: FailedDelivery[]): void {
    for (const f of failed) {
      this.events.emit({
        kind: 'delivery.failed',
        messageId,
        deliveryId: f.id,
        deviceId: f.device_id,
        platform: f.platform,
        userId: f.user_id,
        error: f.error,
      });
    }
  }

  private async sendOne(
    c: ClaimedDelivery,
    device: StoredDevice,
    payload: PushPayload,
  ): Promise<DeliveryOutcome> {
    try {
      return await this.providers.for(device.platform).send(device, payload);
    } catch (err) {
      // A provider bug must not take the batch down: the delivery is retried like a network error.
      this.logger.error(
        `Sending delivery ${c.id} through ${device.platform} failed: ${(err as Error).message}`,
      );
      return { kind: 'retryable', reason: `Internal error while sending: ${(err as Error).message}` };
    }
  }

  private resultOf(c: ClaimedDelivery, outcome: DeliveryOutcome): DeliveryResult {
    if (outcome.kind === 'sent') return { id: c.id, status: 'sent' };
    if (outcome.kind === 'permanent') return { id: c.id, status: 'failed', error: outcome.reason };
    const { maxAttempts, retryDelayMs } = this.config.push;
    if (c.attempts >= maxAttempts) {
      return {
        id: c.id,
        status: 'failed',
        error: `${outcome.reason} (gave up after ${c.attempts} attempts)`,
      };
    }
    const backoff = retryDelayMs * 2 ** (c.attempts - 1);
    return {
      id: c.id,
      status: 'pending',
      error: outcome.reason,
      delayMs: Math.max(backoff, outcome.retryAfterMs ?? 0),
    };
  }
}
