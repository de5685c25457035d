import { Injectable, Logger } from '@nestjs/common';
import { JobHandler, JobsService, type HandlesJob } from '@plinth/jobs';
import { enqueueRelay } from './outbox-kick.js';
import { enqueueDelivery } from './webhook-delivery.handler.js';
import { WebhookFanOut } from './webhook-fan-out.js';
import { WebhooksRepository } from './webhooks.repository.js';

/** Events taken out of the outbox per transaction. */
const BATCH = 500;
/** When another relay holds the outbox, look again this much later (it may have missed the newest rows). */
const BUSY_RETRY_MS = 250;

/**
 * Fans the transactional outbox out: batches of events, oldest first, become webhook deliveries in
 * the transaction that removes them from the outbox, then each delivery is queued. A relay that dies
 * mid-batch leaves the batch in the outbox; deliveries written but not queued are the sweep's.
 */
@Injectable()
@JobHandler('webhooks.relay')
export class OutboxRelayHandler implements HandlesJob<'webhooks.relay'> {
  private readonly logger = new Logger('Webhooks');

  constructor(
    private readonly repo: WebhooksRepository,
    private readonly fanOut: WebhookFanOut,
    private readonly jobs: JobsService,
  ) {}

  async handle(): Promise<{ events: number; deliveries: number }> {
    let events = 0;
    let deliveries = 0;
    for (;;) {
      const drained = await this.repo.drainOutbox(BATCH, (rows) => this.fanOut.deliveries(rows));
      if (!drained) {
        await enqueueRelay(this.jobs, 'busy', BUSY_RETRY_MS);
        break;
      }
      events += drained.taken;
      deliveries += drained.deliveries.length;
      for (const d of drained.deliveries) {
        await enqueueDelivery(this.jobs, d.id).catch((err: Error) =>
          this.logger.warn(
            `Delivery ${d.id} is written but not queued (the sweep will queue it): ${err.message}`,
          ),
        );
      }
      if (drained.taken < BATCH) break;
    }
    return { events, deliveries };
  }
}
