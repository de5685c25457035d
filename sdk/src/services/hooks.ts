import type { PlinthClient } from '../client.js';
import type { RequestOptions } from '../types.js';

const req = (opts?: RequestOptions) => ({ signal: opts?.signal, headers: opts?.headers });
const path = (id: string) => `/api/hooks/${encodeURIComponent(id)}`;

/** A blocking hook as `/api/hooks` answers it. */
export interface HookModel {
  id: string;
  name: string;
  url: string;
  /** `posts.create`, `posts.update`, `posts.delete`, `users.signup`. */
  events: string[];
  filter: string;
  timeoutMs: number;
  failurePolicy: 'deny' | 'allow';
  enabled: boolean;
  previousSecretValidUntil?: string | null;
  created: string;
  updated: string;
}

/** The answer of `hooks.create` and `rotateSecret`: the only time `secret` is shown. */
export type NewHook = HookModel & { secret?: string };

export interface HookInput {
  name?: string;
  url?: string;
  events?: string[];
  /** Record filter grammar, judged on the record as it would be stored: `total > 100`. */
  filter?: string;
  /** How long a write waits for the hook's answer (default 2000 ms, 50 to 30000). */
  timeoutMs?: number;
  /** What a timeout or a broken answer means: `deny` (default) or `allow`. */
  failurePolicy?: 'deny' | 'allow';
  enabled?: boolean;
}

/** Admin: blocking hooks (`/api/hooks`), asked to allow, patch or refuse writes before they commit. */
export class HooksService {
  constructor(private readonly client: PlinthClient<unknown>) {}

  async list(options: RequestOptions = {}): Promise<HookModel[]> {
    return (await this.client.send<{ items: HookModel[] }>('/api/hooks', req(options))).items;
  }

  get(id: string, options: RequestOptions = {}): Promise<HookModel> {
    return this.client.send(path(id), req(options));
  }

  /** The answer carries the signing secret (`whsec_...`): store it now, it is not shown again. */
  create(
    input: HookInput & { url: string; events: string[] },
    options: RequestOptions = {},
  ): Promise<NewHook> {
    return this.client.send('/api/hooks', { method: 'POST', body: input, ...req(options) });
  }

  update(id: string, input: HookInput, options: RequestOptions = {}): Promise<HookModel> {
    return this.client.send(path(id), { method: 'PATCH', body: input, ...req(options) });
  }

  async delete(id: string, options: RequestOptions = {}): Promise<void> {
    await this.client.send(path(id), { method: 'DELETE', ...req(options) });
  }

  /** A new secret; the old one keeps signing beside it for 24 hours. */
  rotateSecret(id: string, options: RequestOptions = {}): Promise<NewHook> {
    return this.client.send(`${path(id)}/rotate-secret`, { method: 'POST', ...req(options) });
  }
}
