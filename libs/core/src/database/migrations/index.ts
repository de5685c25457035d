import { Init1764090000000 } from './1764090000000-init.js';
import { AdminsKeysCollections1764090100000 } from './1764090100000-admins-keys-collections.js';
import { RefreshTokens1764090200000 } from './1764090200000-refresh-tokens.js';
import { ExternalIdentity1764090300000 } from './1764090300000-external-identity.js';
import { Push1764190100000 } from './1764190100000-push.js';
import { AdminSessions1765120000000 } from './1765120000000-admin-sessions.js';
import { ExternalIdentityIssuer1796630000000 } from './1796630000000-external-identity-issuer.js';
import { Webhooks1797000000000 } from './1797000000000-webhooks.js';
import { Schedules1797100000000 } from './1797100000000-schedules.js';
import { PushMessageCompleted1797200000000 } from './1797200000000-push-message-completed.js';
import { RequestLog1797300000000 } from './1797300000000-request-log.js';
import { TextIds1842170000000 } from './1842170000000-text-ids.js';
import { EventOutbox1842700000000 } from './1842700000000-event-outbox.js';
import { Hooks1850100000000 } from './1850100000000-hooks.js';
import { AuditAndStats1850500000000 } from './1850500000000-audit-and-stats.js';
import { SiteHosting1850600000000 } from './1850600000000-site-hosting.js';
import { OtpMfa1850800000000 } from './1850800000000-otp-mfa.js';

/** Every migration, in order. Listed explicitly: no globbing of compiled files. */
export const MIGRATIONS = [
  Init1764090000000,
  AdminsKeysCollections1764090100000,
  RefreshTokens1764090200000,
  ExternalIdentity1764090300000,
  Push1764190100000,
  AdminSessions1765120000000,
  ExternalIdentityIssuer1796630000000,
  Webhooks1797000000000,
  Schedules1797100000000,
  PushMessageCompleted1797200000000,
  RequestLog1797300000000,
  TextIds1842170000000,
  EventOutbox1842700000000,
  Hooks1850100000000,
  AuditAndStats1850500000000,
  SiteHosting1850600000000,
  OtpMfa1850800000000,
];
