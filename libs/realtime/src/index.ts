export * from './realtime.controller.js';
export * from './realtime.module.js';
export * from './realtime.service.js';
export * from './sse-connection.js';
export * from './topics.js';
