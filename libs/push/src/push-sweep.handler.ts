import { Injectable, Logger } from '@nestjs/common';
import { JobHandler, JobsService, type HandlesJob } from '@plinth/jobs';
import { enqueueDeliveries } from './push-delivery.handler.js';
import { PushMetrics } from './push-metrics.js';
import { PushClaimsRepository } from './push-claims.repository.js';

/** How long a delivery may sit due and untaken before the sweep queues it again. */
export const SWEEP_GRACE_MS = 60_000;
/** Deliveries queued again per run at most; the next run takes the rest. */
export const SWEEP_LIMIT = 10_000;

/**
 * Recovers deliveries whose jobs never ran: written by POST /api/push/send but not queued (Redis went
 * down after the commit, the POST answered 503), or a job lost with Redis' data. Runs on a schedule
 * (PLINTH_PUSH_SWEEP_EVERY). It only queues `push.deliver` jobs: the claim in PostgreSQL decides what
 * is sent, so a row queued twice, or taken by a live job meanwhile, is still sent once.
 */
@Injectable()
@JobHandler('push.sweep')
export class PushSweepHandler implements HandlesJob<'push.sweep'> {
  private readonly logger = new Logger('Push');

  constructor(
    private readonly claims: PushClaimsRepository,
    private readonly jobs: JobsService,
    private readonly metrics: PushMetrics,
  ) {}

  async handle(): Promise<{ messages: number; deliveries: number }> {
    const stranded = await this.claims.stranded(SWEEP_GRACE_MS, SWEEP_LIMIT);
    // One tag per run: a later run queues its own jobs even when an earlier run's are still kept.
    const tag = `sweep-${Date.now()}`;
    let deliveries = 0;
    for (const { message_id, ids } of stranded) {
      await enqueueDeliveries(this.jobs, message_id, ids, { tag });
      deliveries += ids.length;
    }
    if (deliveries) {
      this.metrics.swept.inc(deliveries);
      this.logger.warn(
        `Queued ${deliveries} stranded push delivery(ies) of ${stranded.length} message(s) again (their jobs were never queued or were lost)`,
      );
    }
    return { messages: stranded.length, deliveries };
  }
}
