export * from './mail-send.options.js';
export * from './mail-sender.js';
export * from './mail-settings.js';
export * from './mail.module.js';
