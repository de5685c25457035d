export * from './audit-context.js';
export * from './audit-diff.js';
export * from './audit-trail.js';
export * from './audit-write.repository.js';
