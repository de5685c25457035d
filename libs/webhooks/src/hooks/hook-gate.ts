import type { LookupFunction } from 'node:net';
import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import {
  BeforeWrite,
  CollectionsRegistry,
  compileFilter,
  type CompiledCollection,
  type JudgedWrite,
  type WriteGate,
  type WriteVerdict,
} from '@plinth/collections';
import {
  AppError,
  newId,
  PLINTH_CONFIG,
  publicOnlyLookup,
  ReloadChannel,
  snippet,
  type ResolvedConfig,
} from '@plinth/core';
import { postSigned } from '../signed-post.js';
import { webhookSecretBox } from '../webhook-delivery.handler.js';
import { WebhooksRepository } from '../webhooks.repository.js';
import { HooksRepository, type HookRow } from './hooks.repository.js';

/** A hook as the index keeps it: its secrets opened once, at load. */
interface LoadedHook {
  row: HookRow;
  secret: string;
  previous?: { secret: string; until: number };
}

/** What one hook said: go on (maybe with a patch), or a refusal with its message and data. */
type Answer =
  | { allow: true; patch?: Record<string, unknown> }
  | { allow: false; message: string; data?: Record<string, unknown> };

/** The answers a hook reads: at most 64 KiB (the outbound client's cap). */
const KEEP = 64 * 1024;

const isObject = (v: unknown): v is Record<string, unknown> =>
  !!v && typeof v === 'object' && !Array.isArray(v);

/** PocketBase's field errors (`{field: {code, message}}`): what its SDKs show beside the form's inputs. */
const isFieldErrors = (v: Record<string, unknown>): boolean =>
  Object.values(v).every((e) => isObject(e) && typeof e.code === 'string' && typeof e.message === 'string');

/**
 * Blocking hooks at write time. Every process that serves the API keeps the enabled hooks indexed by
 * event (`posts.create`, `users.signup`) and reloads them through the `hooks-changed` Redis channel,
 * so a write no hook wants costs one Map lookup. A wanted write is POSTed (Standard Webhooks, like
 * webhooks) to every matching hook at once, before the write's transaction; refusals and failures
 * under `deny` answer 400 HOOK_REFUSED, patches are merged in the hooks' order.
 */
@Injectable()
export class HookGate implements WriteGate, OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Hooks');
  private byEvent = new Map<string, LoadedHook[]>();
  private readonly channel: ReloadChannel;
  private readonly lookup?: LookupFunction;

  constructor(
    private readonly repo: HooksRepository,
    private readonly webhooks: WebhooksRepository,
    private readonly registry: CollectionsRegistry,
    private readonly beforeWrite: BeforeWrite,
    @Inject(PLINTH_CONFIG) private readonly config: ResolvedConfig,
  ) {
    this.lookup = config.webhooks.allowPrivateEndpoints ? undefined : publicOnlyLookup();
    this.channel = new ReloadChannel(
      config.redis.url,
      `${config.redis.prefix}:hooks-changed`,
      async () => this.load(await this.repo.all()),
      'Hooks',
    );
  }

  async onModuleInit(): Promise<void> {
    await this.channel.start();
    this.beforeWrite.use(this);
  }

  onApplicationShutdown(): void {
    this.channel.stop();
  }

  /** Reloads here and on every other replica (after an admin changed a hook). */
  changed(): Promise<void> {
    return this.channel.changed();
  }

  wants(c: CompiledCollection, action: JudgedWrite['action']): boolean {
    if (!this.byEvent.size) return false;
    return (
      this.byEvent.has(`${c.def.name}.${action}`) ||
      (action === 'create' && c.isAuth && this.byEvent.has(`${c.def.name}.signup`))
    );
  }

  async judge(write: JudgedWrite): Promise<WriteVerdict> {
    const c = write.collection;
    const name = c.def.name;
    const calls = (this.byEvent.get(`${name}.${write.action}`) ?? []).map((hook) => ({
      hook,
      type: `${name}.${write.action}`,
    }));
    if (write.action === 'create' && c.isAuth) {
      for (const hook of this.byEvent.get(`${name}.signup`) ?? [])
        calls.push({ hook, type: `${name}.signup` });
    }
    const due = await Promise.all(
      calls.map(async (call) =>
        !call.hook.row.filter || (await this.matches(c, call.hook.row.filter, write.record))
          ? call
          : undefined,
      ),
    );
    const answers = await Promise.all(
      due.flatMap((call) => (call ? [this.ask(call.hook, call.type, write).then((a) => ({ a, call }))] : [])),
    );
    let patch: Record<string, unknown> | undefined;
    for (const { a, call } of answers) {
      if (!a.allow) {
        const data = a.data && isFieldErrors(a.data) ? { data: a.data } : {};
        throw new AppError('HOOK_REFUSED', a.message || refusedByDefault(call.hook.row, write), {
          ...data,
          ...(a.data ? { hookData: a.data } : {}),
        });
      }
      if (a.patch) patch = { ...patch, ...a.patch };
    }
    return patch ? { patch } : {};
  }

  /** One hook's verdict; a failure to get one follows its failure policy. */
  private async ask(hook: LoadedHook, type: string, write: JudgedWrite): Promise<Answer> {
    const h = hook.row;
    const body = JSON.stringify({
      type,
      timestamp: new Date().toISOString(),
      data: {
        collection: write.collection.def.name,
        record: write.record,
        ...(write.previous ? { previous: write.previous } : {}),
        ...(type.endsWith('.signup') ? {} : { auth: write.actor }),
      },
    });
    const secrets = [hook.secret];
    if (hook.previous && hook.previous.until > Date.now()) secrets.push(hook.previous.secret);
    const outcome = await postSigned(h.url, body, newId(), secrets, {
      timeoutMs: h.timeout_ms,
      allowPrivate: this.config.webhooks.allowPrivateEndpoints,
      lookup: this.lookup,
      userAgent: 'Plinth-Hooks/1',
      keep: KEEP,
    });
    if (!outcome.ok) {
      const short =
        outcome.status !== null
          ? `it answered HTTP ${outcome.status}`
          : /no answer within/.test(outcome.error ?? '')
            ? `no answer within ${h.timeout_ms} ms`
            : 'it could not be reached';
      return this.failed(h, type, outcome.error ?? short, short);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(outcome.response);
    } catch {
      return this.failed(h, type, `the answer is not JSON: ${snippet(outcome.response, 100)}`, UNREADABLE);
    }
    if (!isObject(parsed) || typeof parsed.allow !== 'boolean') {
      return this.failed(h, type, 'the answer has no boolean "allow"', UNREADABLE);
    }
    if (!parsed.allow) {
      const message = typeof parsed.message === 'string' ? parsed.message.slice(0, 1000) : '';
      return { allow: false, message, ...(isObject(parsed.data) ? { data: parsed.data } : {}) };
    }
    if (parsed.patch === undefined || parsed.patch === null) return { allow: true };
    if (!isObject(parsed.patch)) return this.failed(h, type, '"patch" is not an object', UNREADABLE);
    if ('id' in parsed.patch) {
      return this.failed(h, type, '"patch" may not change the record\'s id', UNREADABLE);
    }
    return { allow: true, patch: parsed.patch };
  }

  /**
   * No verdict from the hook: its failure policy decides. The log says why in full; the client
   * learns only the kind of failure (`short`), never the hook's URL.
   */
  private failed(h: HookRow, type: string, reason: string, short: string): Answer {
    this.logger.warn(
      `Blocking hook "${h.name || h.url}" (${h.id}) gave no verdict on ${type} (${reason}); its failure policy ${h.failure_policy}s the write.`,
    );
    if (h.failure_policy === 'allow') return { allow: true };
    return {
      allow: false,
      message: `The write was refused: ${label(h)}, which must approve it, gave no verdict (${short}). Try again later; if it persists, an admin should check the hook's endpoint.`,
    };
  }

  /** The hook's filter on the record as it would be stored (a schema change may have broken it: no match). */
  private async matches(
    c: CompiledCollection,
    filter: string,
    record: Record<string, unknown>,
  ): Promise<boolean> {
    try {
      const where = compileFilter(filter, c.filter, 't', {
        schema: this.registry.filterSchema,
        now: new Date(),
        auth: null,
        body: {},
        isAdmin: true,
        canSeeHidden: true,
        allowRequestMacros: false,
      });
      const row: Record<string, unknown> = { ...record };
      for (const col of c.fieldColumns) if (row[col.name] === '' && col.cast !== 'text') row[col.name] = null;
      return await this.webhooks.recordMatches(c, row, where);
    } catch (err) {
      this.logger.warn(
        `A hook filter could not be judged on ${c.def.name} (not called): ${(err as Error).message}`,
      );
      return false;
    }
  }

  private load(rows: HookRow[]): void {
    const box = webhookSecretBox(this.config);
    const index = new Map<string, LoadedHook[]>();
    for (const row of rows) {
      if (!row.enabled) continue;
      const hook: LoadedHook = {
        row,
        secret: box.open(row.secret),
        ...(row.previous_secret && row.previous_secret_until
          ? {
              previous: {
                secret: box.open(row.previous_secret),
                until: new Date(row.previous_secret_until).getTime(),
              },
            }
          : {}),
      };
      for (const event of row.events) {
        const list = index.get(event) ?? [];
        list.push(hook);
        index.set(event, list);
      }
    }
    this.byEvent = index;
  }
}

/** How a client hears of a hook: by its name, never its URL. */
const label = (h: HookRow) => (h.name ? `the hook "${h.name}"` : 'a blocking hook');

const UNREADABLE = 'its answer was not {"allow": true|false, ...}';

const refusedByDefault = (h: HookRow, write: JudgedWrite) => {
  const who = label(h);
  return `${who[0]!.toUpperCase()}${who.slice(1)} refused this ${write.action} of a "${write.collection.def.name}" record.`;
};
