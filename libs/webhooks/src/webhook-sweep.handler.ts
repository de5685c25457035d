import { Injectable, Logger } from '@nestjs/common';
import { JobHandler, JobsService, type HandlesJob } from '@plinth/jobs';
import { enqueueRelay } from './outbox-kick.js';
import { enqueueDelivery } from './webhook-delivery.handler.js';
import { WebhooksRepository } from './webhooks.repository.js';

/** How long a delivery may sit due and untaken before the sweep queues it again. */
export const SWEEP_GRACE_MS = 30_000;
const SWEEP_LIMIT = 10_000;

/**
 * Recovers deliveries whose jobs never ran (Redis was down after the write, a lost job, a worker
 * killed mid-send), and outbox events whose relay run was never queued (a server killed right after
 * its commit). It only queues jobs: the claim in PostgreSQL decides what is sent.
 */
@Injectable()
@JobHandler('webhooks.sweep')
export class WebhookSweepHandler implements HandlesJob<'webhooks.sweep'> {
  private readonly logger = new Logger('Webhooks');

  constructor(
    private readonly repo: WebhooksRepository,
    private readonly jobs: JobsService,
  ) {}

  async handle(): Promise<{ deliveries: number }> {
    const ids = await this.repo.stranded(SWEEP_GRACE_MS, SWEEP_LIMIT);
    const tag = `sweep-${Date.now()}`;
    for (const id of ids) await enqueueDelivery(this.jobs, id, { tag });
    if (ids.length) this.logger.warn(`Queued ${ids.length} stranded webhook delivery(ies) again`);
    await enqueueRelay(this.jobs, 'sweep');
    return { deliveries: ids.length };
  }
}
