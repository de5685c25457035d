import { AsyncLocalStorage } from 'node:async_hooks';
import type { Principal } from '../auth/principal.js';

/** Who did an admin action, from where, and in which request. */
export interface AuditActor {
  /** `system` for the command line, jobs and boot. */
  kind: 'admin' | 'key' | 'user' | 'anonymous' | 'system';
  id: string;
  /** The admin's email or the key's name; empty for others. */
  name: string;
  ip: string;
  requestId: string;
}

export const SYSTEM_ACTOR: AuditActor = { kind: 'system', id: '', name: '', ip: '', requestId: '' };

// Services never see HTTP (STYLE): the server's interceptor records the caller of the request being
// served, and AuditTrail reads it from here.
const store = new AsyncLocalStorage<AuditActor>();

/** The caller of the request being served; the system outside one (CLI, jobs). */
export function currentActor(): AuditActor {
  return store.getStore() ?? SYSTEM_ACTOR;
}

export function runAsActor<T>(actor: AuditActor, work: () => T): T {
  return store.run(actor, work);
}

export function actorOf(principal: Principal | undefined, ip: string, requestId: string): AuditActor {
  const where = { ip, requestId };
  if (!principal || principal.kind === 'anonymous') return { kind: 'anonymous', id: '', name: '', ...where };
  if (principal.kind === 'admin') return { kind: 'admin', id: principal.id, name: principal.email, ...where };
  if (principal.kind === 'key') return { kind: 'key', id: principal.id, name: principal.name, ...where };
  return { kind: 'user', id: principal.id, name: principal.collectionName, ...where };
}
