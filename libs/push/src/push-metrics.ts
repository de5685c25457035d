import { Injectable, Logger } from '@nestjs/common';
import { Metrics } from '@plinth/core';
import { JobsService } from '@plinth/jobs';
import { Counter, Gauge } from 'prom-client';

/** Push counters on the process's registry: sends, deliveries by provider and outcome, queue depth. */
@Injectable()
export class PushMetrics {
  private readonly logger = new Logger('PushMetrics');
  readonly messages: Counter<'source'>;
  readonly deliveries: Counter<'provider' | 'status'>;
  readonly swept: Counter;

  constructor(metrics: Metrics, jobs: JobsService) {
    const registers = [metrics.registry];
    this.messages = new Counter({
      name: 'plinth_push_messages_total',
      help: 'Push messages accepted, by source (api, trigger)',
      labelNames: ['source'],
      registers,
    });
    this.deliveries = new Counter({
      name: 'plinth_push_deliveries_total',
      help: 'Push delivery attempts by provider and outcome (sent, retry, failed)',
      labelNames: ['provider', 'status'],
      registers,
    });
    this.swept = new Counter({
      name: 'plinth_push_swept_total',
      help: 'Push deliveries queued again by push.sweep (their jobs were never queued or were lost)',
      registers,
    });
    const logger = this.logger;
    new Gauge({
      name: 'plinth_push_queue_depth',
      help: 'Jobs in the push queue by state',
      labelNames: ['state'],
      registers,
      async collect() {
        try {
          const counts = await Promise.race([
            jobs.queue('push').getJobCounts('waiting', 'delayed', 'active', 'failed'),
            new Promise<never>((_, reject) =>
              setTimeout(() => reject(new Error('Redis did not answer')), 1000).unref(),
            ),
          ]);
          for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
        } catch (err) {
          logger.warn(`Push queue depth unavailable: ${(err as Error).message}`);
        }
      },
    });
  }
}
