import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppError, AuditTrail, isUuid, newId, type Principal } from '@plinth/core';
import { ApiKeyRow, ApiKeysRepository } from './api-keys.repository.js';
import { ExpiringLru } from './expiring-lru.js';
import { sha256 } from './tokens.service.js';

export const KEY_PREFIX = 'plk_';
const SCOPE_PATTERN = /^(admin|push:send|[a-z][a-z0-9_]{0,62}:(read|write))$/;
const CACHE_MS = 10_000;
// Unknown keys are remembered briefly and in a small cache of their own: a flood of made-up keys
// neither grows memory nor pushes the real keys out (issue 16).
const UNKNOWN_CACHE_MS = 2_000;
const KNOWN_KEYS_CAP = 10_000;
const UNKNOWN_KEYS_CAP = 1_000;
const TOUCH_EVERY_MS = 60_000;

export interface ApiKeyView {
  id: string;
  name: string;
  scopes: string[];
  created: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
}

const toView = (row: ApiKeyRow): ApiKeyView => ({
  id: row.id,
  name: row.name,
  scopes: row.scopes,
  created: new Date(row.created).toISOString(),
  expiresAt: row.expires_at ? new Date(row.expires_at).toISOString() : null,
  lastUsedAt: row.last_used_at ? new Date(row.last_used_at).toISOString() : null,
});

export const isApiKey = (token: string): boolean => token.startsWith(KEY_PREFIX);

/** API keys: stored as SHA-256 hashes, shown once, scoped, `lastUsedAt` kept (at most once a minute). */
@Injectable()
export class ApiKeysService {
  private readonly known = new ExpiringLru<string, ApiKeyRow>(KNOWN_KEYS_CAP);
  private readonly unknown = new ExpiringLru<string, true>(UNKNOWN_KEYS_CAP);
  readonly unknownKeysCap = UNKNOWN_KEYS_CAP;

  constructor(
    private readonly keys: ApiKeysRepository,
    private readonly audit: AuditTrail,
  ) {}

  async create(
    input: { name: string; scopes: string[]; expiresAt?: string | null },
    createdBy: string | null,
  ): Promise<ApiKeyView & { key: string }> {
    const bad = input.scopes
      .map((scope, i) => ({ scope, i }))
      .filter(({ scope }) => !SCOPE_PATTERN.test(scope));
    if (bad.length || input.scopes.length === 0) {
      throw new AppError(
        'VALIDATION_FAILED',
        `Scopes must be "admin", "push:send", "<collection>:read" or "<collection>:write", at least one` +
          (bad.length ? `; not ${bad.map(({ scope }) => JSON.stringify(scope)).join(', ')}.` : '.'),
        {
          errors: bad.length
            ? bad.map(({ scope, i }) => ({
                path: `scopes.${i}`,
                code: 'INVALID_SCOPE',
                message: `${JSON.stringify(scope)} is not a scope`,
              }))
            : [{ path: 'scopes', code: 'REQUIRED', message: 'needs at least one scope' }],
        },
      );
    }
    const expiresAt = input.expiresAt ? new Date(input.expiresAt) : null;
    if (expiresAt && (Number.isNaN(expiresAt.getTime()) || expiresAt.getTime() <= Date.now())) {
      throw new AppError('VALIDATION_FAILED', 'expiresAt must be a date-time in the future.', {
        errors: [{ path: 'expiresAt', code: 'INVALID_VALUE', message: 'must be a date-time in the future' }],
      });
    }
    const key = KEY_PREFIX + randomBytes(32).toString('base64url');
    const row = await this.keys.insert({
      id: newId(),
      name: input.name.trim(),
      scopes: [...new Set(input.scopes)].sort(),
      key_hash: sha256(key),
      expires_at: expiresAt,
      created_by: createdBy,
    });
    await this.audit.record({
      action: 'api_key.create',
      targetType: 'api_key',
      targetId: row.id,
      targetName: row.name,
      summary: `created API key "${row.name}" with scopes ${row.scopes.join(', ')}`,
      changes: [{ path: 'scopes', before: null, after: row.scopes }],
    });
    return { ...toView(row), key };
  }

  async list(): Promise<ApiKeyView[]> {
    return (await this.keys.list()).map(toView);
  }

  async revoke(id: string): Promise<void> {
    if (!isUuid(id) || !(await this.keys.delete(id)))
      throw new AppError('API_KEY_NOT_FOUND', 'There is no API key with this id.');
    this.known.clear();
    await this.audit.record({
      action: 'api_key.revoke',
      targetType: 'api_key',
      targetId: id,
      summary: 'revoked an API key',
    });
  }

  /** Key lookups this replica holds in memory (known and unknown keys). */
  cachedLookups(): number {
    return this.known.size + this.unknown.size;
  }

  /** The principal of a valid, unexpired key; undefined otherwise. Revocation reaches other replicas within 10 s. */
  async principalFor(key: string): Promise<Principal | undefined> {
    const hash = sha256(key);
    const now = Date.now();
    let row = this.known.get(hash, now);
    if (!row) {
      if (this.unknown.get(hash, now)) return undefined;
      row = await this.keys.findByHash(hash);
      if (row) this.known.set(hash, row, CACHE_MS, now);
      else this.unknown.set(hash, true, UNKNOWN_CACHE_MS, now);
    }
    if (!row || (row.expires_at && new Date(row.expires_at).getTime() <= now)) return undefined;
    if (!row.last_used_at || now - new Date(row.last_used_at).getTime() > TOUCH_EVERY_MS) {
      row.last_used_at = new Date(now);
      void this.keys.touch(row.id, row.last_used_at).catch(() => undefined);
    }
    return { kind: 'key', id: row.id, name: row.name, scopes: new Set(row.scopes) };
  }
}
