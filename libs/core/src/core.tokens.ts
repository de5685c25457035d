/** Injection tokens of the core module. */
export const PLINTH_CONFIG = Symbol('PLINTH_CONFIG');
export const PLINTH_PROCESS = Symbol('PLINTH_PROCESS');
export const REDIS = Symbol('REDIS');

/** What this process is: its role, and whether it consumes the job queues (the worker, or an inline server). */
export interface PlinthProcess {
  role: string;
  consumesJobs: boolean;
}
