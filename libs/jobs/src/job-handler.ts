import { SetMetadata } from '@nestjs/common';
import type { Job } from 'bullmq';
import type { JobName, JobPayloads } from './job-definitions.js';

export const JOB_HANDLER = Symbol('JOB_HANDLER');

/** Marks a provider as the handler of one job name; found at boot through Nest's discovery. */
export const JobHandler = (name: JobName) => SetMetadata(JOB_HANDLER, name);

export interface HandlesJob<N extends JobName> {
  handle(data: JobPayloads[N], job: Job<JobPayloads[N]>): Promise<unknown>;
}
