export * from './backup-location.js';
export * from './backup-manifest.js';
export * from './backups.module.js';
export * from './backups.service.js';
export * from './restore.service.js';
