import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { PLINTH_CONFIG, type ResolvedConfig } from '@plinth/core';
import { Job, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import {
  JOB_NAMES,
  JOB_QUEUES,
  JobName,
  JobPayloads,
  QUEUE_NAMES,
  REPEATING_JOBS,
} from './job-definitions.js';
import { HandlesJob, JOB_HANDLER } from './job-handler.js';
import { JobsService } from './jobs.service.js';

/** A killed worker's jobs are picked up again within ~20 s (DESIGN §1 asks for 30 s). */
export const LOCK_DURATION_MS = 10_000;

export class MissingJobHandlerError extends Error {}

/** Consumer side: one BullMQ worker per queue, dispatching each job by name to its handler. */
@Injectable()
export class JobsWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Jobs');
  private readonly workers: Worker[] = [];
  private readonly connections: Redis[] = [];
  private readonly handlers = new Map<JobName, HandlesJob<JobName>>();
  private ready = false;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly jobs: JobsService,
    @Inject(PLINTH_CONFIG) private readonly config: ResolvedConfig,
  ) {}

  get isReady(): boolean {
    return this.ready;
  }

  async onApplicationBootstrap(): Promise<void> {
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as HandlesJob<JobName> | undefined;
      const name =
        instance && wrapper.metatype
          ? (Reflect.getMetadata(JOB_HANDLER, wrapper.metatype) as JobName | undefined)
          : undefined;
      if (!name) continue;
      if (this.handlers.has(name)) throw new Error(`Two handlers are registered for job "${name}"`);
      this.handlers.set(name, instance!);
    }
    const missing = JOB_NAMES.filter((n) => !this.handlers.has(n));
    if (missing.length) {
      throw new MissingJobHandlerError(
        `The worker cannot start: no handler is registered for job ${missing.map((m) => `"${m}"`).join(', ')}. ` +
          'Add a provider decorated with @JobHandler(name) to a module the worker imports.',
      );
    }

    for (const queue of QUEUE_NAMES) {
      const connection = new Redis(this.config.redis.url, { maxRetriesPerRequest: null });
      connection.on('error', () => undefined);
      this.connections.push(connection);
      const worker = new Worker(queue, (job) => this.dispatch(job), {
        connection,
        prefix: `${this.config.redis.prefix}:bull`,
        concurrency: queue === 'push' ? 8 : 2,
        lockDuration: LOCK_DURATION_MS,
        stalledInterval: LOCK_DURATION_MS,
        maxStalledCount: 2,
      });
      worker.on('error', (err) => this.logger.warn(`Queue ${queue}: ${err.message}`));
      worker.on('failed', (job, err) =>
        this.logger.warn(
          `Job ${job?.name} (${job?.id}) failed on attempt ${job?.attemptsMade}: ${err.message}`,
        ),
      );
      this.workers.push(worker);
    }
    await Promise.all(this.workers.map((w) => w.waitUntilReady()));

    for (const { name, everyConfig } of REPEATING_JOBS) {
      await this.jobs
        .queue(JOB_QUEUES[name])
        .upsertJobScheduler(
          name,
          { every: this.config.maintenance[everyConfig] * 1000 },
          { name, data: { reason: 'schedule' } },
        );
    }
    this.ready = true;
    this.logger.log(`Consuming queues ${QUEUE_NAMES.join(', ')} with ${this.handlers.size} job handler(s)`);
  }

  /** Runs a job's handler in this process: a schedule that runs a built-in job logs its outcome itself. */
  async runHere<N extends JobName>(name: N, data: JobPayloads[N], job: Job): Promise<unknown> {
    const handler = this.handlers.get(name);
    if (!handler) throw new Error(`No handler for job "${name}"`);
    return handler.handle(data, job);
  }

  private async dispatch(job: Job): Promise<unknown> {
    const handler = this.handlers.get(job.name as JobName);
    if (!handler) throw new Error(`No handler for job "${job.name}"`);
    return handler.handle(job.data, job);
  }

  async onApplicationShutdown(): Promise<void> {
    this.ready = false;
    // close() lets each active job finish before it resolves.
    await Promise.all(this.workers.map((w) => w.close().catch(() => undefined)));
    // BullMQ does not close a connection it was given.
    for (const c of this.connections) c.disconnect();
    this.workers.length = 0;
    this.connections.length = 0;
  }
}
