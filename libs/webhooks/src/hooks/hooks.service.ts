import { Inject, Injectable } from '@nestjs/common';
import { CollectionsRegistry, compileFilter, FilterError } from '@plinth/collections';
import { AppError, isUuid, newId, PLINTH_CONFIG, type FieldProblem, type ResolvedConfig } from '@plinth/core';
import { endpointUrlProblem, iso, throwIfInvalid } from '../signed-endpoints.js';
import { webhookSecretBox } from '../webhook-delivery.handler.js';
import { newWebhookSecret } from '../webhook-signing.js';
import { OLD_SECRET_VALID_MS } from '../webhooks.service.js';
import { HookGate } from './hook-gate.js';
import { HOOK_TIMEOUT_DEFAULT_MS } from './hooks.schemas.js';
import { HooksRepository, type FailurePolicy, type HookRow } from './hooks.repository.js';

export interface HookBody {
  name?: string;
  url?: string;
  events?: string[];
  filter?: string;
  timeoutMs?: number;
  failurePolicy?: FailurePolicy;
  enabled?: boolean;
}

function toView(h: HookRow, secret?: string) {
  const until =
    h.previous_secret && h.previous_secret_until && new Date(h.previous_secret_until) > new Date();
  return {
    id: h.id,
    name: h.name,
    url: h.url,
    events: h.events,
    filter: h.filter,
    timeoutMs: h.timeout_ms,
    failurePolicy: h.failure_policy,
    enabled: h.enabled,
    previousSecretValidUntil: until ? iso(h.previous_secret_until) : null,
    ...(secret ? { secret } : {}),
    created: iso(h.created)!,
    updated: iso(h.updated)!,
  };
}

/** The admin side of blocking hooks: configure, rotate secrets; every change reloads every replica's index. */
@Injectable()
export class HooksService {
  constructor(
    private readonly repo: HooksRepository,
    private readonly gate: HookGate,
    private readonly registry: CollectionsRegistry,
    @Inject(PLINTH_CONFIG) private readonly config: ResolvedConfig,
  ) {}

  async list() {
    return { items: (await this.repo.all()).map((h) => toView(h)) };
  }

  async get(id: string) {
    return toView(await this.find(id));
  }

  /** A new hook; `id` keeps the one of an imported schema file. */
  async create(body: HookBody, id: string = newId()) {
    this.check(body);
    const secret = newWebhookSecret();
    await this.repo.insert({
      id,
      name: body.name ?? '',
      url: body.url!,
      events: body.events!,
      filter: body.filter ?? '',
      timeout_ms: body.timeoutMs ?? HOOK_TIMEOUT_DEFAULT_MS,
      failure_policy: body.failurePolicy ?? 'deny',
      enabled: body.enabled ?? true,
      secret: webhookSecretBox(this.config).seal(secret),
    });
    await this.gate.changed();
    return toView(await this.find(id), secret);
  }

  async update(id: string, body: HookBody) {
    const current = await this.find(id);
    this.check({ ...body, events: body.events ?? current.events, filter: body.filter ?? current.filter });
    await this.repo.update(id, {
      name: body.name,
      url: body.url,
      events: body.events,
      filter: body.filter,
      timeout_ms: body.timeoutMs,
      failure_policy: body.failurePolicy,
      enabled: body.enabled,
    });
    await this.gate.changed();
    return this.get(id);
  }

  async delete(id: string): Promise<void> {
    if (!isUuid(id) || !(await this.repo.delete(id))) throw notFound(id);
    await this.gate.changed();
  }

  /** A new secret, shown once; the old one keeps signing beside it for 24 hours. */
  async rotateSecret(id: string) {
    await this.find(id);
    const secret = newWebhookSecret();
    await this.repo.rotateSecret(id, webhookSecretBox(this.config).seal(secret), OLD_SECRET_VALID_MS);
    await this.gate.changed();
    return toView(await this.find(id), secret);
  }

  private async find(id: string): Promise<HookRow> {
    const h = isUuid(id) ? await this.repo.find(id) : undefined;
    if (!h) throw notFound(id);
    return h;
  }

  /**
   * The URL (the webhooks' outbound check), the events' collections (writable; `signup` only on auth
   * collections) and the filter on each of them (also by the schema import, before it writes any hook).
   */
  check(body: HookBody): void {
    const errors: FieldProblem[] = [];
    if (body.url !== undefined) {
      errors.push(...endpointUrlProblem(body.url, 'url', this.config.webhooks.allowPrivateEndpoints));
    }
    const names = new Set<string>();
    (body.events ?? []).forEach((event, i) => {
      const dot = event.lastIndexOf('.');
      const [name, action] = [event.slice(0, dot), event.slice(dot + 1)];
      const c = this.registry.find(name);
      const problem = !c
        ? `names no collection "${name}"`
        : c.def.type === 'view'
          ? `"${name}" is a view collection: its records are never written, so no hook can judge them`
          : action === 'signup' && !c.isAuth
            ? `"${name}" is not an auth collection, so it has no sign-ups (only create, update, delete)`
            : undefined;
      if (problem) errors.push({ path: `events.${i}`, code: 'INVALID_VALUE', message: problem });
      else names.add(name);
    });
    if (body.filter) {
      for (const name of names) {
        try {
          compileFilter(body.filter, this.registry.get(name).filter, 't', {
            schema: this.registry.filterSchema,
            now: new Date(),
            auth: null,
            isAdmin: true,
            canSeeHidden: true,
            allowRequestMacros: false,
          });
        } catch (err) {
          if (!(err instanceof FilterError)) throw err;
          errors.push({ path: 'filter', code: 'INVALID_VALUE', message: `on ${name}: ${err.message}` });
        }
      }
    }
    throwIfInvalid('hook', errors);
  }
}

const notFound = (id: string) =>
  new AppError('HOOK_NOT_FOUND', `There is no hook ${id}; list them with GET /api/hooks.`);
