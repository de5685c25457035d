import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { AppError, PLINTH_CONFIG, type ResolvedConfig } from '@plinth/core';
import { JobsOptions, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { JOB_QUEUES, JobName, JobPayloads, QueueName } from './job-definitions.js';

/** How long an enqueue may wait for Redis before the caller gets 503 REDIS_UNAVAILABLE. */
const ENQUEUE_TIMEOUT_MS = 5000;

/** Producer side: the only way code enqueues work. */
@Injectable()
export class JobsService implements OnApplicationShutdown {
  private readonly queues = new Map<QueueName, Queue>();
  private readonly connections = new Map<Queue, Redis>();

  constructor(@Inject(PLINTH_CONFIG) private readonly config: ResolvedConfig) {}

  queue(name: QueueName): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      // Producers fail fast while Redis is down (the request answers 503) instead of queueing in memory.
      const connection = new Redis(this.config.redis.url, {
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        connectTimeout: 5000,
      });
      connection.on('error', () => undefined);
      queue = new Queue(name, { connection, prefix: `${this.config.redis.prefix}:bull` });
      queue.on('error', () => undefined);
      this.connections.set(queue, connection);
      this.queues.set(name, queue);
    }
    return queue;
  }

  async enqueue<N extends JobName>(name: N, data: JobPayloads[N], opts: JobsOptions = {}): Promise<string> {
    const adding = this.queue(JOB_QUEUES[name]).add(name, data, {
      attempts: 3,
      backoff: { type: 'exponential', delay: 1000 },
      removeOnComplete: { age: 3600, count: 1000 },
      removeOnFail: { age: 7 * 24 * 3600 },
      ...opts,
    });
    // A queue whose first connection is made while Redis is down waits for it without limit: answer
    // 503 within seconds instead of holding the request until its timeout.
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new AppError(
              'REDIS_UNAVAILABLE',
              'Redis cannot be reached right now. Try again in a few seconds.',
              {
                headers: { 'retry-after': '5' },
              },
            ),
          ),
        ENQUEUE_TIMEOUT_MS,
      );
    });
    adding.catch(() => undefined);
    try {
      const job = await Promise.race([adding, timeout]);
      return job.id!;
    } finally {
      clearTimeout(timer);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    // BullMQ leaves a connection it was given open: disconnect each after its queue closes.
    await Promise.all(
      [...this.queues.values()].map(async (q) => {
        await q.close().catch(() => undefined);
        this.connections.get(q)?.disconnect();
      }),
    );
    this.queues.clear();
    this.connections.clear();
  }
}
