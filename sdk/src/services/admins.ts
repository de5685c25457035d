import type { PlinthClient } from '../client.js';
import type { AdminModel, RequestOptions } from '../types.js';

/** Admin sign-in (`POST /api/admins/auth-with-password`). Admin sessions have no refresh token. */
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
