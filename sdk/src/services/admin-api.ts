import type { PlinthClient } from '../client.js';
import type {
  ApiKeyModel,
  CollectionModel,
  ListResult,
  NewApiKey,
  RequestOptions,
  SchemaChange,
  SettingsModel,
  SettingsStatus,
} from '../types.js';

const req = (opts?: RequestOptions) => ({ signal: opts?.signal, headers: opts?.headers });

/** Admin: collections (`/api/collections`). Needs an admin session or an admin-scoped API key. */
export class CollectionsService {
  constructor(private readonly client: PlinthClient<unknown>) {}

  /** Every collection, all pages. */
  async list(options: RequestOptions = {}): Promise<CollectionModel[]> {
    const items: CollectionModel[] = [];
    for (let page = 1; ; page++) {
      const result = await this.client.send<ListResult<CollectionModel>>('/api/collections', {
        query: { page, perPage: 500 },
        ...req(options),
      });
      items.push(...result.items);
      if (!result.items.length || page >= result.totalPages) return items;
    }
  }

  get(idOrName: string, options: RequestOptions = {}): Promise<CollectionModel> {
    return this.client.send(`/api/collections/${encodeURIComponent(idOrName)}`, req(options));
  }

  create(collection: CollectionModel, options: RequestOptions = {}): Promise<CollectionModel> {
    return this.client.send('/api/collections', { method: 'POST', body: collection, ...req(options) });
  }

  /** Partial; fields are matched by `id` (a known id with a new name is a rename). */
  update(
    idOrName: string,
    patch: Partial<CollectionModel>,
    options: RequestOptions = {},
  ): Promise<CollectionModel> {
    return this.client.send(`/api/collections/${encodeURIComponent(idOrName)}`, {
      method: 'PATCH',
      body: patch,
      ...req(options),
    });
  }

  async delete(idOrName: string, options: RequestOptions = {}): Promise<void> {
    await this.client.send(`/api/collections/${encodeURIComponent(idOrName)}`, {
      method: 'DELETE',
      ...req(options),
    });
  }

  /** The whole schema in the importable shape. */
  export(options: RequestOptions = {}): Promise<{ collections: CollectionModel[] }> {
    return this.client.send('/api/collections/export', req(options));
  }

  /**
   * Makes the server's collections match `collections` (matched by id, else by name); with
   * `deleteMissing` the others are deleted. `dryRun` answers the plan and changes nothing.
   */
  import(
    collections: CollectionModel[],
    options: RequestOptions & { deleteMissing?: boolean; dryRun?: boolean } = {},
  ): Promise<{ changes: SchemaChange[] }> {
    return this.client.send('/api/collections/import', {
      method: 'PUT',
      query: { dryRun: options.dryRun ? 'true' : undefined },
      body: { collections, ...(options.deleteMissing ? { deleteMissing: true } : {}) },
      ...req(options),
    });
  }
}

/** Admin: API keys (`/api/keys`). */
export class KeysService {
  constructor(private readonly client: PlinthClient<unknown>) {}

  async list(options: RequestOptions = {}): Promise<ApiKeyModel[]> {
    const result = await this.client.send<ListResult<ApiKeyModel>>('/api/keys', req(options));
    return result.items;
  }

  /** Scopes: `admin`, `push:send`, `<collection>:read`, `<collection>:write`. The key is shown only here. */
  create(
    input: { name: string; scopes: string[]; expiresAt?: string | Date | null },
    options: RequestOptions = {},
  ): Promise<NewApiKey> {
    const expiresAt = input.expiresAt instanceof Date ? input.expiresAt.toISOString() : input.expiresAt;
    return this.client.send('/api/keys', {
      method: 'POST',
      body: { name: input.name, scopes: input.scopes, ...(expiresAt !== undefined ? { expiresAt } : {}) },
      ...req(options),
    });
  }

  async delete(id: string, options: RequestOptions = {}): Promise<void> {
    await this.client.send(`/api/keys/${encodeURIComponent(id)}`, { method: 'DELETE', ...req(options) });
  }
}

/** Admin: run-time settings (`/api/settings`); secrets come back blank and are kept when sent as "". */
export class SettingsService {
  constructor(private readonly client: PlinthClient<unknown>) {}

  get(options: RequestOptions = {}): Promise<SettingsModel> {
    return this.client.send('/api/settings', req(options));
  }

  /** Partial: `{ storage: { driver: 's3' } }` changes only the keys given; answers all settings. */
  update(patch: SettingsModel, options: RequestOptions = {}): Promise<SettingsModel> {
    return this.client.send('/api/settings', { method: 'PATCH', body: patch, ...req(options) });
  }

  /**
   * Sends one test mail to `to` now with the saved mail settings (not queued). The SMTP server's refusal
   * or an unreachable server → 502 `MAIL_TEST_FAILED` whose detail says what happened; no host → 400
   * `MAIL_NOT_CONFIGURED`.
   */
  testMail(to: string, options: RequestOptions = {}): Promise<{ ok: true; to: string; server: string }> {
    return this.client.send('/api/settings/mail/test', { method: 'POST', body: { to }, ...req(options) });
  }

  /** Which secrets are stored (true/false, never the value) and the app's name and URLs with their source. */
  status(options: RequestOptions = {}): Promise<SettingsStatus> {
    return this.client.send('/api/settings/status', req(options));
  }

  /** Writes, reads back and deletes a probe object with the saved storage settings. */
  testStorage(options: RequestOptions = {}): Promise<{ ok: true; driver: string }> {
    return this.client.send('/api/settings/storage/test', { method: 'POST', ...req(options) });
  }
}
