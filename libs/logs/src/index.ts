export * from './logs.module.js';
export { RequestLogWriter } from './request-log.writer.js';
export { redactRequestUrl, cleanText } from './log-entry.js';
export { StatsJobsModule } from './stats/stats-jobs.module.js';
export { StatsRollupHandler } from './stats/stats-rollup.handler.js';
