export * from './job-definitions.js';
export * from './job-handler.js';
export * from './jobs-worker.service.js';
export * from './jobs.module.js';
export * from './jobs.service.js';
