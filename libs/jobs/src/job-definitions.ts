/** The queues, one per workload (DESIGN §6). */
export const QUEUE_NAMES = ['push', 'mail', 'maintenance', 'webhooks', 'schedules'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

/**
 * Every job name with its payload type. A name added here without a handler makes the
 * worker refuse to boot.
 */
export interface JobPayloads {
  'maintenance.cleanup': { reason?: 'schedule' | 'manual' };
  /** One plain-text mail; the text carries its links (so the payload is as secret as they are). */
  'mail.send': { to: string; subject: string; text: string };
  /** Sends these deliveries of one push message; the rows in plinth.push_delivery decide what is still due. */
  'push.deliver': { messageId: string; deliveryIds: string[] };
  /** Queues again deliveries left due but unqueued (Redis was down after the send committed, a lost job). */
  'push.sweep': { reason?: 'schedule' | 'manual' };
  /** One attempt at one webhook delivery; the row in plinth.webhook_delivery decides whether it is due. */
  'webhooks.deliver': { deliveryId: string };
  /** Fans events out of the transactional outbox (plinth.event_outbox) into webhook deliveries. */
  'webhooks.relay': { reason?: 'written' | 'busy' | 'sweep' };
  /** Queues again webhook deliveries left due but unqueued (Redis was down, a lost job). */
  'webhooks.sweep': { reason?: 'schedule' | 'manual' };
  /** One run of a schedule: a tick of its job scheduler, or `runId` (a queued run-now row). */
  'schedules.run': { scheduleId: string; runId?: string };
  /** Folds the request log and system tables into the statistics' rollups (GET /api/stats). */
  'stats.rollup': { reason?: 'schedule' | 'manual' };
  /** A backup of the whole install, then the oldest pruned past the `backups` settings' `keep` (libs/backups). */
  'backups.create': { reason?: 'schedule' | 'manual' };
}

export type JobName = keyof JobPayloads;

/** The queue each job runs on. */
export const JOB_QUEUES: { readonly [N in JobName]: QueueName } = {
  'maintenance.cleanup': 'maintenance',
  'mail.send': 'mail',
  'push.deliver': 'push',
  'push.sweep': 'push',
  'webhooks.deliver': 'webhooks',
  'webhooks.relay': 'webhooks',
  'webhooks.sweep': 'webhooks',
  'schedules.run': 'schedules',
  'stats.rollup': 'maintenance',
  'backups.create': 'maintenance',
};

export const JOB_NAMES = Object.keys(JOB_QUEUES) as JobName[];

/** Jobs the worker schedules itself (idempotent upsert at boot); `every` comes from config. */
export const REPEATING_JOBS: ReadonlyArray<{
  name: JobName;
  everyConfig:
    'cleanupEverySeconds' | 'pushSweepEverySeconds' | 'webhooksSweepEverySeconds' | 'statsEverySeconds';
}> = [
  { name: 'maintenance.cleanup', everyConfig: 'cleanupEverySeconds' },
  { name: 'push.sweep', everyConfig: 'pushSweepEverySeconds' },
  { name: 'webhooks.sweep', everyConfig: 'webhooksSweepEverySeconds' },
  { name: 'stats.rollup', everyConfig: 'statsEverySeconds' },
];
