/** The queues, one per workload (DESIGN §6). */
export const QUEUE_NAMES = ['push', 'mail', 'maintenance'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

/**
 * Every job name with its payload type. A name added here without a handler makes the
 * worker refuse to boot.
 */
export interface JobPayloads {
  'maintenance.cleanup': { reason?: 'schedule' | 'manual' };
}

export type JobName = keyof JobPayloads;

/** The queue each job runs on. */
export const JOB_QUEUES: { readonly [N in JobName]: QueueName } = {
  'maintenance.cleanup': 'maintenance',
};

export const JOB_NAMES = Object.keys(JOB_QUEUES) as JobName[];

/** Jobs the worker schedules itself (idempotent upsert at boot); `every` comes from config. */
export const REPEATING_JOBS: ReadonlyArray<{ name: JobName; everyConfig: 'cleanupEverySeconds' }> = [
  { name: 'maintenance.cleanup', everyConfig: 'cleanupEverySeconds' },
];
