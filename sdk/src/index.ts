export { createClient, PlinthClient } from './client.js';
export type { ClientOptions, FetchLike, QueryValue, SendOptions } from './client.js';
export { mfaIdOf, PlinthError } from './errors.js';
export type { FieldError, Problem } from './errors.js';
export { BaseAuthStore, LocalAuthStore, MemoryAuthStore } from './auth-store.js';
export type { AuthChangeListener, AuthModel, AuthStore } from './auth-store.js';
export { bindFilter, filterLiteral } from './filter.js';
export type { FilterValue } from './filter.js';
export { decodeTokenPayload, tokenExpiry } from './jwt.js';
export { RecordService } from './services/record-service.js';
export { AdminsService } from './services/admins.js';
export { CollectionsService, KeysService, SettingsService } from './services/admin-api.js';
export { FilesService } from './services/files.js';
export type { FileUrlOptions } from './services/files.js';
export { PushService } from './services/push.js';
export { WebhooksService } from './services/webhooks.js';
export type {
  NewWebhook,
  WebhookDelivery,
  WebhookDeliveryList,
  WebhookInput,
  WebhookModel,
} from './services/webhooks.js';
export { HooksService } from './services/hooks.js';
export type { HookInput, HookModel, NewHook } from './services/hooks.js';
export { LogsService } from './services/logs.js';
export type { LogEntry, LogList, LogListQuery } from './services/logs.js';
export { AuditService, auditDiffText } from './services/audit.js';
export type { AuditChange, AuditEntry, AuditList, AuditListQuery } from './services/audit.js';
export { StatsService } from './services/stats.js';
export type { StatsAnswer, StatsQuery, StatsSeries } from './services/stats.js';
export { SchedulesService } from './services/schedules.js';
export { HostingService } from './services/hosting.js';
export type { DeployList, DeployModel } from './services/hosting.js';
export type {
  NewSchedule,
  ScheduleInput,
  ScheduleModel,
  ScheduleRun,
  ScheduleRunList,
  ScheduleTarget,
} from './services/schedules.js';
export { verifyWebhook, WebhookVerificationError } from './webhook-verify.js';
export type { WebhookHeaders } from './webhook-verify.js';
export { RealtimeClient, RealtimeError, topicKey } from './realtime.js';
export type {
  RealtimeAction,
  RealtimeCallback,
  RealtimeClientOptions,
  RealtimeEvent,
  RealtimeSubscribeOptions,
  RealtimeUnsubscribe,
} from './realtime.js';
export type * from './types.js';
/** Types of the static API from sdk/openapi.json (openapi-typescript): paths, components, operations. */
export type {
  components as ApiComponents,
  operations as ApiOperations,
  paths as ApiPaths,
} from './generated/openapi.js';
