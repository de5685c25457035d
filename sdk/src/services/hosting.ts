import type { PlinthClient } from '../client.js';
import type { RequestOptions } from '../types.js';

const req = (opts?: RequestOptions) => ({ signal: opts?.signal, headers: opts?.headers });
const path = (id: string) => `/api/hosting/deploys/${encodeURIComponent(id)}`;

/** A deploy of the site (the app's web front end served at `/`). */
export interface DeployModel {
  id: string;
  /** `pending` until activated once. */
  status: 'pending' | 'ready';
  /** Whether this deploy is the one served. */
  active: boolean;
  fileCount: number;
  /** Bytes of all its files. */
  size: number;
  /** The admin email or API key name that created it. */
  createdBy: string;
  message: string;
  created: string;
  activated: string | null;
}

export interface DeployList {
  /** Newest first. */
  items: DeployModel[];
  /** true when the server serves PLINTH_PUBLIC_DIR instead of deploys. */
  publicDir: boolean;
}

/**
 * Admin: hosting (`/api/hosting/deploys`). Deploys are made by `npm run plinth -- deploy ./dist`; this
 * lists them, rolls back (activates an earlier one) and deletes old ones.
 */
export class HostingService {
  constructor(private readonly client: PlinthClient<unknown>) {}

  list(options: RequestOptions = {}): Promise<DeployList> {
    return this.client.send('/api/hosting/deploys', req(options));
  }

  /** Serves this deploy on every server within a moment (an earlier one: a rollback). */
  activate(id: string, options: RequestOptions = {}): Promise<DeployModel> {
    return this.client.send(`${path(id)}/activate`, { method: 'POST', ...req(options) });
  }

  async delete(id: string, options: RequestOptions = {}): Promise<void> {
    await this.client.send(path(id), { method: 'DELETE', ...req(options) });
  }
}
