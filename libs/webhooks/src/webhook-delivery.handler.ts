import type { LookupFunction } from 'node:net';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { PLINTH_CONFIG, publicOnlyLookup, SecretBox, type ResolvedConfig } from '@plinth/core';
import { JobHandler, JobsService, type HandlesJob } from '@plinth/jobs';
import { postSigned, type PostOutcome } from './signed-post.js';
import { nextRetryDelayMs } from './webhook-signing.js';
import { WebhooksRepository, type DeliveryRow, type WebhookRow } from './webhooks.repository.js';

/** How long an attempt holds its delivery: a worker killed mid-send leaves it to the sweep after this. */
const LEASE_MS = 60_000;

/** Queues one attempt; the tag makes a repeated enqueue of the same attempt a no-op. */
export async function enqueueDelivery(
  jobs: JobsService,
  deliveryId: string,
  opts: { delayMs?: number; tag?: string } = {},
): Promise<void> {
  await jobs.enqueue(
    'webhooks.deliver',
    { deliveryId },
    {
      jobId: `webhook-${deliveryId}-${opts.tag ?? 'first'}`,
      delay: Math.max(0, Math.round(opts.delayMs ?? 0)),
      // Retries are the delivery row's business (its schedule, in PostgreSQL), not BullMQ's.
      attempts: 1,
      removeOnComplete: true,
      removeOnFail: { age: 24 * 3600 },
    },
  );
}

/**
 * Sends one attempt of one delivery, signed as Standard Webhooks says, and decides what follows:
 * delivered, a retry at the schedule's next step (or the receiver's Retry-After), or a dead letter.
 * The next open delivery of the same record follows only when this one is done, so a receiver gets
 * one record's events in order.
 */
@Injectable()
@JobHandler('webhooks.deliver')
export class WebhookDeliveryHandler implements HandlesJob<'webhooks.deliver'> {
  private readonly logger = new Logger('Webhooks');
  private readonly box: SecretBox;
  private readonly lookup?: LookupFunction;

  constructor(
    private readonly repo: WebhooksRepository,
    private readonly jobs: JobsService,
    @Inject(PLINTH_CONFIG) private readonly config: ResolvedConfig,
  ) {
    this.box = webhookSecretBox(config);
    this.lookup = config.webhooks.allowPrivateEndpoints ? undefined : publicOnlyLookup();
  }

  async handle(data: { deliveryId: string }): Promise<{ outcome: string }> {
    const d = await this.repo.claim(data.deliveryId, LEASE_MS);
    if (!d) return { outcome: 'not due' };
    const started = Date.now();
    const outcome = await this.send(d, d.webhook);
    const durationMs = Date.now() - started;
    const delay =
      outcome.ok || outcome.final
        ? undefined
        : nextRetryDelayMs(
            this.config.webhooks.retryScheduleMs,
            d.attempts - d.replayed_after,
            outcome.retryAfterMs,
          );
    const next = outcome.ok ? 'delivered' : delay === undefined ? 'dead' : new Date(Date.now() + delay);
    const { disabled } = await this.repo.recordAttempt(
      { deliveryId: d.id, attempt: d.attempts, durationMs, ...outcome, next },
      d.webhook_id,
      this.config.webhooks.disableAfter,
    );
    if (disabled) {
      this.logger.warn(
        `Webhook ${d.webhook_id} (${d.webhook.url}) was disabled after ${this.config.webhooks.disableAfter} failed attempts in a row; enable it again once the endpoint works`,
      );
    }
    if (next instanceof Date) {
      await enqueueDelivery(this.jobs, d.id, { delayMs: delay, tag: `attempt-${d.attempts + 1}` });
    } else {
      const following = await this.repo.nextInOrder(d.webhook_id, d.order_key);
      if (following) {
        await enqueueDelivery(this.jobs, following.id, {
          delayMs: following.next_attempt_at.getTime() - Date.now(),
          tag: `after-${d.id}-${d.attempts}`,
        });
      }
    }
    return { outcome: next instanceof Date ? 'retry' : next };
  }

  private async send(d: DeliveryRow, webhook: WebhookRow): Promise<PostOutcome> {
    const body = JSON.stringify(d.payload);
    const secrets = [this.box.open(webhook.secret)];
    if (
      webhook.previous_secret &&
      webhook.previous_secret_until &&
      webhook.previous_secret_until > new Date()
    ) {
      secrets.push(this.box.open(webhook.previous_secret));
    }
    return postSigned(webhook.url, body, d.id, secrets, {
      timeoutMs: this.config.webhooks.timeoutMs,
      allowPrivate: this.config.webhooks.allowPrivateEndpoints,
      lookup: this.lookup,
      userAgent: 'Plinth-Webhooks/1',
    });
  }
}

/** The key webhook secrets are sealed with at rest: its own, derived from PLINTH_SECRET. */
export const webhookSecretBox = (config: ResolvedConfig): SecretBox =>
  new SecretBox(config.secret, 'plinth webhook secrets');
