import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { JobsService } from '@plinth/jobs';

/** Queues a relay run; `later` ones are coalesced per window, so a busy outbox queues few of them. */
export async function enqueueRelay(
  jobs: JobsService,
  reason: 'written' | 'busy' | 'sweep',
  delayMs = 0,
): Promise<void> {
  await jobs.enqueue(
    'webhooks.relay',
    { reason },
    {
      ...(delayMs ? { jobId: `webhooks-relay-${Math.floor(Date.now() / delayMs)}`, delay: delayMs } : {}),
      attempts: 3,
      backoff: { type: 'exponential', delay: 1000 },
      removeOnComplete: true,
      removeOnFail: { age: 24 * 3600 },
    },
  );
}

/**
 * Asks for a relay run once events were committed: at most one enqueue in flight per process, and
 * one more after it when events came meanwhile, so every commit is followed by a run that sees it.
 */
@Injectable()
export class OutboxKick implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Webhooks');
  private inFlight = false;
  private again = false;
  private stopped = false;

  constructor(private readonly jobs: JobsService) {}

  /** Queues close at shutdown: events committed from now on are the next sweep's. */
  beforeApplicationShutdown(): void {
    this.stopped = true;
  }

  kick(): void {
    if (this.stopped) return;
    if (this.inFlight) {
      this.again = true;
      return;
    }
    this.inFlight = true;
    enqueueRelay(this.jobs, 'written')
      .catch((err: Error) =>
        this.logger.warn(
          `Webhook events are stored but the relay was not queued (the sweep will run it): ${err.message}`,
        ),
      )
      .finally(() => {
        this.inFlight = false;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }
}
