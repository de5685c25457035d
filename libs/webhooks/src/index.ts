export * from './webhooks.module.js';
export { newWebhookSecret, signedHeaders } from './webhook-signing.js';
export { WebhookEmitter, wantsEvent, type WebhookPayload } from './webhook-emitter.js';
