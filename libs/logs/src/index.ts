export * from './logs.module.js';
export { RequestLogWriter } from './request-log.writer.js';
export { redactRequestUrl, cleanText } from './log-entry.js';
