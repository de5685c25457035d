export * from './webhooks.module.js';
export { newWebhookSecret, signedHeaders } from './webhook-signing.js';
