import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Redis } from 'ioredis';
import { SettingsRepository } from './settings.repository.js';
import { AuditTrail } from '../audit/audit-trail.js';
import { diffValues, type AuditChange } from '../audit/audit-diff.js';
import { PLINTH_CONFIG, REDIS } from '../core.tokens.js';
import { SecretBox } from '../crypto/secret-box.js';
import { AppError } from '../errors/app-error.js';
import { outboundUrlProblem, PRIVATE_ENDPOINTS_HINT, publicHostProblem } from '../net/outbound-guard.js';
import { Maintenance } from '../maintenance/maintenance.js';
import { createRedis } from '../redis/redis.js';
import type { ResolvedConfig } from '../runtime/runtime.js';
import { validateBody, type BodySchema } from '../validation/validate-body.js';

/** One named group of settings an admin edits (`storage`, `push`, ...), registered by the lib that owns it. */
export interface SettingsSection<T extends Record<string, unknown> = Record<string, unknown>> {
  key: string;
  /** JSON Schema of the whole section; PATCH bodies are checked against it after merging. */
  schema: BodySchema;
  /** Values used for keys never saved. */
  defaults: T;
  /**
   * Top-level keys holding secrets: sealed at rest, answered as "", a PATCH with "" (or without the key)
   * keeps the stored one, `null` clears it.
   */
  secrets?: Array<keyof T & string>;
  /**
   * Per secret, the keys saying where it is sent (host, port, user, URL). A PATCH that changes one of
   * them keeps no stored secret: it must be entered again, or an admin could point the endpoint at a
   * server of their own and receive it.
   */
  secretEndpoints?: Partial<Record<keyof T & string, Array<keyof T & string>>>;
  /**
   * Keys naming servers Plinth connects to: host names (`outboundHosts`) or URLs (`outboundUrls`).
   * Saved values must be public unless PLINTH_ALLOW_PRIVATE_ENDPOINTS; the client checks again on connect.
   */
  outboundHosts?: Array<keyof T & string>;
  outboundUrls?: Array<keyof T & string>;
  /** Shown to admins (console, GET /api/settings) only when true; internal state (generated keys) stays out. */
  internal?: boolean;
}

const CHANNEL = 'settings:changed';

const list = (keys: string[], and = 'and'): string =>
  keys.length < 2 ? (keys[0] ?? '') : `${keys.slice(0, -1).join(', ')} ${and} ${keys.at(-1)}`;

/** Refuses new endpoints on private or loopback addresses (section-relative paths). */
function refusePrivateEndpoints(
  section: SettingsSection,
  current: Record<string, unknown>,
  patch: Record<string, unknown>,
): void {
  const errors: Array<{ path: string; code: string; message: string }> = [];
  const check = (keys: string[] | undefined, problemOf: (v: string) => string | null) => {
    for (const key of keys ?? []) {
      const value = patch[key];
      if (typeof value !== 'string' || value === '' || value === current[key]) continue;
      const problem = problemOf(value);
      if (problem)
        errors.push({
          path: key,
          code: 'PRIVATE_ENDPOINT',
          message: `${problem}; ${PRIVATE_ENDPOINTS_HINT}`,
        });
    }
  };
  check(section.outboundHosts, publicHostProblem);
  check(section.outboundUrls, (v) => outboundUrlProblem(v, false));
  if (errors.length) {
    throw new AppError(
      'VALIDATION_FAILED',
      `${list(errors.map((e) => `${section.key}.${e.path}`))} must point at a public server: Plinth does not connect to private or loopback addresses unless PLINTH_ALLOW_PRIVATE_ENDPOINTS=true (local development).`,
      { errors },
    );
  }
}

/** Refuses a patch that moves a kept secret's endpoint (see `secretEndpoints`); paths are section-relative. */
function requireMovedSecrets(
  section: SettingsSection,
  current: Record<string, unknown>,
  patch: Record<string, unknown>,
): void {
  const errors: Array<{ path: string; code: string; message: string }> = [];
  for (const [secret, keys] of Object.entries(section.secretEndpoints ?? {}) as Array<[string, string[]]>) {
    const given = patch[secret];
    if ((given !== undefined && given !== '') || !current[secret]) continue;
    const moved = keys.filter((k) => k in patch && patch[k] !== current[k]);
    if (!moved.length) continue;
    errors.push({
      path: secret,
      code: 'REQUIRED',
      message: `must be entered again: ${list(moved)} changed, and the stored one is kept only for the ${list(keys, 'or')} it was saved with`,
    });
  }
  if (errors.length) {
    throw new AppError(
      'VALIDATION_FAILED',
      `Enter ${list(errors.map((e) => `${section.key}.${e.path}`))} again: a stored secret is never sent to a changed server, so changing where it goes (${list(
        [...new Set(errors.flatMap((e) => section.secretEndpoints![e.path] ?? []))],
        'or',
      )}) needs it again.`,
      { errors },
    );
  }
}

/**
 * Settings that admins edit at run time, stored in `plinth.setting` (one JSON row per section).
 * Reads are served from memory; a write on any replica invalidates every replica through Redis.
 */
@Injectable()
export class SettingsService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Settings');
  private readonly sections = new Map<string, SettingsSection>();
  private readonly cache = new Map<string, Promise<Record<string, unknown>>>();
  private readonly listeners = new Map<string, Array<() => void>>();
  private readonly box: SecretBox;
  private subscriber?: Redis;

  constructor(
    private readonly repository: SettingsRepository,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(PLINTH_CONFIG) private readonly config: ResolvedConfig,
    private readonly audit: AuditTrail,
    maintenance: Maintenance,
  ) {
    this.box = new SecretBox(config.secret);
    // A restore replaced plinth.setting: every replica forgets what it cached.
    maintenance.onEnd(() => this.forgetAll());
  }

  async onModuleInit(): Promise<void> {
    this.subscriber = createRedis(this.config.redis.url, {
      enableOfflineQueue: true,
      maxRetriesPerRequest: null,
    });
    await this.subscriber.connect();
    this.subscriber.on('message', (_channel: string, key: string) => this.invalidate(key));
    // Changes may have been missed during a Redis outage: forget everything on reconnect.
    this.subscriber.on('ready', () => {
      for (const key of [...this.cache.keys()]) this.invalidate(key);
    });
    await this.subscriber.subscribe(this.channel());
  }

  onModuleDestroy(): void {
    this.subscriber?.disconnect();
  }

  register<T extends Record<string, unknown>>(section: SettingsSection<T>): void {
    this.sections.set(section.key, section as unknown as SettingsSection);
  }

  /** Calls `listener` whenever the section changes on any replica (after commit). */
  onChange(key: string, listener: () => void): () => void {
    const list = this.listeners.get(key) ?? [];
    list.push(listener);
    this.listeners.set(key, list);
    return () =>
      this.listeners.set(
        key,
        (this.listeners.get(key) ?? []).filter((l) => l !== listener),
      );
  }

  /** The section's values with defaults filled in and secrets in clear, for the code that uses them. */
  async get<T extends Record<string, unknown>>(key: string): Promise<T> {
    const section = this.section(key);
    let pending = this.cache.get(key);
    if (!pending) {
      pending = this.load(section);
      this.cache.set(key, pending);
      pending.catch(() => this.cache.delete(key));
    }
    return (await pending) as T;
  }

  /** Merges `patch` over the stored section, validates the result and saves it; returns the admin view. */
  async patch(key: string, patch: Record<string, unknown>): Promise<Record<string, unknown>> {
    await this.patchMany({ [key]: patch });
    return this.view(key);
  }

  /** Validates every section's merged values first, then saves them: one bad section saves nothing. */
  async patchMany(patches: Record<string, Record<string, unknown>>): Promise<void> {
    const prepared: Array<[SettingsSection, Record<string, unknown>]> = [];
    const changes: AuditChange[] = [];
    for (const [key, patch] of Object.entries(patches)) {
      const section = this.section(key);
      const current = await this.load(section);
      const next: Record<string, unknown> = { ...current, ...patch };
      for (const secret of section.secrets ?? []) {
        if (patch[secret] === null) next[secret] = '';
        else if (patch[secret] === '' || patch[secret] === undefined) next[secret] = current[secret];
      }
      try {
        validateBody(section.schema, next);
        if (!this.config.allowPrivateEndpoints) refusePrivateEndpoints(section, current, patch);
        requireMovedSecrets(section, current, patch);
      } catch (err) {
        if (err instanceof AppError) for (const e of err.extra.errors ?? []) e.path = `${key}.${e.path}`;
        throw err;
      }
      prepared.push([section, next]);
      // Secrets are compared in clear here and recorded only as changed.
      const secrets = new Set((section.secrets ?? []).map((k) => `${key}.${k}`));
      changes.push(...diffValues({ [key]: current }, { [key]: next }, { secrets }));
    }
    for (const [section, next] of prepared) await this.save(section, next);
    if (changes.length) {
      await this.audit.record({
        action: 'settings.update',
        targetType: 'settings',
        targetName: Object.keys(patches).join(', '),
        summary: `changed ${changes.map((c) => c.path).join(', ')}`,
        changes,
      });
    }
  }

  /** Replaces internal state (generated keys and the like) without schema checks from a request. */
  async put(key: string, value: Record<string, unknown>): Promise<void> {
    await this.save(this.section(key), value);
  }

  /** The section as admins see it: secrets answered as "". */
  async view(key: string): Promise<Record<string, unknown>> {
    const section = this.section(key);
    const values = { ...(await this.get(key)) };
    for (const secret of section.secrets ?? []) if (values[secret]) values[secret] = '';
    return values;
  }

  /** Every section that is not internal, as admins see it. */
  async viewAll(): Promise<Record<string, Record<string, unknown>>> {
    const out: Record<string, Record<string, unknown>> = {};
    for (const key of [...this.sections.keys()].sort()) {
      if (!this.sections.get(key)!.internal) out[key] = await this.view(key);
    }
    return out;
  }

  /** Per public section, whether each secret holds a value (saved, or a default from the environment). */
  async secretsStatus(): Promise<Record<string, Record<string, boolean>>> {
    const out: Record<string, Record<string, boolean>> = {};
    for (const section of this.publicSections()) {
      const values = await this.get(section.key);
      out[section.key] = Object.fromEntries(
        (section.secrets ?? []).map((k) => [k, typeof values[k] === 'string' && values[k] !== '']),
      );
    }
    return out;
  }

  publicSections(): SettingsSection[] {
    return [...this.sections.values()].filter((s) => !s.internal).sort((a, b) => a.key.localeCompare(b.key));
  }

  private section(key: string): SettingsSection {
    const section = this.sections.get(key);
    if (!section) {
      throw new AppError('SETTINGS_SECTION_NOT_FOUND', `There is no settings section "${key}".`, {
        errors: [
          {
            path: key,
            code: 'UNKNOWN_FIELD',
            message: `known sections: ${[...this.sections.keys()].join(', ')}`,
          },
        ],
      });
    }
    return section;
  }

  private async load(section: SettingsSection): Promise<Record<string, unknown>> {
    const stored = (await this.repository.read(section.key)) ?? {};
    const values: Record<string, unknown> = { ...section.defaults, ...stored };
    for (const secret of section.secrets ?? []) {
      const sealed = values[secret];
      if (SecretBox.isSealed(sealed)) {
        try {
          values[secret] = this.box.open(sealed);
        } catch {
          this.logger.error(
            `The stored secret ${section.key}.${secret} cannot be decrypted (was PLINTH_SECRET changed?); set it again in the settings.`,
          );
          values[secret] = '';
        }
      }
    }
    return values;
  }

  private async save(section: SettingsSection, values: Record<string, unknown>): Promise<void> {
    const stored = { ...values };
    for (const secret of section.secrets ?? []) {
      const value = stored[secret];
      if (typeof value === 'string' && value !== '') stored[secret] = this.box.seal(value);
    }
    await this.repository.write(section.key, stored);
    this.invalidate(section.key);
    await this.redis.publish(this.channel(), section.key);
  }

  /** Forgets every cached section here (a restore replaced the table; each replica does this itself). */
  forgetAll(): void {
    for (const key of [...this.sections.keys()]) this.invalidate(key);
  }

  private invalidate(key: string): void {
    this.cache.delete(key);
    for (const listener of this.listeners.get(key) ?? []) {
      try {
        listener();
      } catch (err) {
        this.logger.error(`A listener of settings "${key}" failed: ${(err as Error).message}`);
      }
    }
  }

  /** Pub/sub channels are not prefixed by ioredis' keyPrefix, so the replica group's prefix goes in by hand. */
  private channel(): string {
    return `${this.config.redis.prefix}:${CHANNEL}`;
  }
}
