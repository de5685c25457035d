export * from './database.js';
export * from './net.js';
export * from './process.js';
export * from './redis.js';
