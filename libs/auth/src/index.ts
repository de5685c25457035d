export * from './admins.service.js';
export * from './api-keys.service.js';
export * from './auth.guard.js';
export * from './auth.module.js';
export * from './principal.resolver.js';
export * from './tokens.service.js';
export * from './users/account-mail.service.js';
export * from './users/users-auth.service.js';
