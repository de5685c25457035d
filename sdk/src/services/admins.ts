import type { PlinthClient } from '../client.js';
import { PlinthError } from '../errors.js';
import type { AdminModel, RequestOptions } from '../types.js';

/**
 * Admin sign-in (`POST /api/admins/auth-with-password`). Admin sessions have no refresh token: the
 * client renews the admin token itself (`authRefresh`) while it is still valid, before each call made
 * within the refresh margin of its expiry.
 */
export class AdminsService {
  constructor(private readonly client: PlinthClient<unknown>) {}

  async authWithPassword(
    identity: string,
    password: string,
    options: RequestOptions = {},
  ): Promise<{ token: string; admin: AdminModel }> {
    const result = await this.client.send<{ token: string; admin: AdminModel }>(
      '/api/admins/auth-with-password',
      {
        method: 'POST',
        body: { identity, password },
        auth: false,
        signal: options.signal,
        headers: options.headers,
      },
    );
    this.client.authStore.save(result.token, { ...result.admin }, '');
    return result;
  }

  /**
   * Exchanges the stored, still valid admin token for a fresh one (`POST /api/admins/auth-refresh`);
   * the client does this by itself before the token expires. An expired or revoked token → 401
   * `INVALID_TOKEN` (sign in again).
   */
  authRefresh(options: RequestOptions = {}): Promise<{ token: string; admin: AdminModel }> {
    const store = this.client.authStore;
    const token = store.token;
    if (!token || !store.isAdmin) {
      return Promise.reject(
        new PlinthError({
          status: 401,
          code: 'INVALID_TOKEN',
          detail: 'There is no admin session to refresh: sign in first.',
        }),
      );
    }
    return this.client.refreshOnce(async () => {
      const result = await this.client.send<{ token: string; admin: AdminModel }>(
        '/api/admins/auth-refresh',
        {
          method: 'POST',
          body: {},
          // Not auth: true, which would wait for this very refresh; the token goes in by hand.
          auth: false,
          signal: options.signal,
          headers: { ...options.headers, authorization: `Bearer ${token}` },
        },
      );
      // Kept only if the session is still the one refreshed (a sign-out or another sign-in may have come between).
      if (store.token === token) store.save(result.token, { ...result.admin }, '');
      return result;
    });
  }

  /** Creates the first admin with the one-time setup token the server prints at boot. */
  setup(
    token: string,
    email: string,
    password: string,
    options: RequestOptions = {},
  ): Promise<{ token: string; admin: AdminModel }> {
    return this.client.send('/api/admins/setup', {
      method: 'POST',
      body: { token, email, password },
      auth: false,
      signal: options.signal,
      headers: options.headers,
    });
  }

  logout(): void {
    this.client.authStore.clear();
  }
}
