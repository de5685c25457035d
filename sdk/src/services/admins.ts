import type { PlinthClient } from '../client.js';
import { PlinthError } from '../errors.js';
import { tokenExpiry } from '../jwt.js';
import type { AdminModel, ListResult, RequestOptions, TotpStatus } from '../types.js';

const req = (opts?: RequestOptions) => ({ signal: opts?.signal, headers: opts?.headers });

/**
 * Admin sign-in (`POST /api/admins/auth-with-password`), sign-out, password and the list of admins.
 * Admin sessions have no refresh token: the client renews the admin token itself (`authRefresh`) while
 * it is still valid, before each call made within the refresh margin of its expiry, until the session's
 * absolute lifetime (the server's PLINTH_ADMIN_SESSION_TTL since sign-in) ends.
 */
export class AdminsService {
  constructor(private readonly client: PlinthClient<unknown>) {}

  // A token whose refresh came back no longer-lived: its session ends when it expires, so renewing it
  // again before each call would only cost requests.
  private lastOfSession = '';

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
   * The second step of an admin sign-in that answered 401 `MFA_REQUIRED` (the admin enrolled an
   * authenticator): its current code or a recovery code, with `mfaIdOf(error)`.
   */
  async authWithTotp(
    mfaId: string,
    code: string,
    options: RequestOptions = {},
  ): Promise<{ token: string; admin: AdminModel }> {
    const result = await this.client.send<{ token: string; admin: AdminModel }>(
      '/api/admins/auth-with-totp',
      {
        method: 'POST',
        body: { mfaId, code },
        auth: false,
        ...req(options),
      },
    );
    this.client.authStore.save(result.token, { ...result.admin }, '');
    return result;
  }

  /** The signed-in admin's authenticator. */
  totpStatus(options: RequestOptions = {}): Promise<TotpStatus> {
    return this.client.send('/api/admins/me/totp', req(options));
  }

  /** Starts the signed-in admin's authenticator enrolment: secret and otpauth:// URI (for a QR code). */
  enrollTotp(options: RequestOptions = {}): Promise<{ secret: string; uri: string }> {
    return this.client.send('/api/admins/me/totp/enroll', { method: 'POST', ...req(options) });
  }

  /** Confirms the admin's authenticator with a first code: recovery codes, shown this once. */
  confirmTotp(code: string, options: RequestOptions = {}): Promise<{ recoveryCodes: string[] }> {
    return this.client.send('/api/admins/me/totp/confirm', {
      method: 'POST',
      body: { code },
      ...req(options),
    });
  }

  /** Removes the admin's authenticator, proven by a current code or a recovery code. */
  async removeTotp(code: string, options: RequestOptions = {}): Promise<void> {
    await this.client.send('/api/admins/me/totp/remove', { method: 'POST', body: { code }, ...req(options) });
  }

  /**
   * Exchanges the stored, still valid admin token for a fresh one (`POST /api/admins/auth-refresh`);
   * the client does this by itself before the token expires. An expired or revoked token → 401
   * `INVALID_TOKEN` (sign in again).
   */
  authRefresh(options: RequestOptions = {}): Promise<{ token: string; admin: AdminModel }> {
    const store = this.client.authStore;
    const token = store.token;
    // Until it expires: then the refresh below answers 401 and the client clears the ended session.
    if (token === this.lastOfSession && store.isAdmin && (tokenExpiry(token) ?? 0) * 1000 > Date.now()) {
      return Promise.resolve({ token, admin: { ...store.record } as AdminModel });
    }
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
      if ((tokenExpiry(result.token) ?? 0) <= (tokenExpiry(token) ?? 0)) this.lastOfSession = result.token;
      return result;
    });
  }

  /** Whether a setup link can still be used: once an admin exists, it cannot (sign in instead). */
  setupStatus(options: RequestOptions = {}): Promise<{ adminExists: boolean }> {
    return this.client.send('/api/admins/setup', { auth: false, ...req(options) });
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

  /**
   * Signs out (`POST /api/admins/auth-logout`): the server ends this session (with `all`, every session
   * of this admin) and the store is cleared, even when the session had ended already.
   */
  async logout(options: RequestOptions & { all?: boolean } = {}): Promise<void> {
    const store = this.client.authStore;
    const token = store.token;
    if (!token || !store.isAdmin) {
      store.clear();
      return;
    }
    try {
      await this.client.send('/api/admins/auth-logout', {
        method: 'POST',
        body: options.all ? { all: true } : {},
        // This token and no other: signing out must not first renew it.
        auth: false,
        signal: options.signal,
        headers: { ...options.headers, authorization: `Bearer ${token}` },
      });
    } catch (err) {
      // A session that has ended already is signed out all the same.
      if (!(err instanceof PlinthError && err.status === 401)) throw err;
    } finally {
      if (store.token === token) store.clear();
    }
  }

  /**
   * Changes the signed-in admin's password (`POST /api/admins/me/password`); the admin's other
   * sessions end, this one goes on. A wrong current password → 400 `INVALID_CREDENTIALS`.
   */
  changePassword(
    currentPassword: string,
    password: string,
    options: RequestOptions = {},
  ): Promise<AdminModel> {
    return this.client.send('/api/admins/me/password', {
      method: 'POST',
      body: { currentPassword, password },
      ...req(options),
    });
  }

  /**
   * Mails a one-time password reset link (to the console's reset page) if an admin has this email
   * (`POST /api/admins/request-password-reset`); resolves the same either way. A server without SMTP
   * rejects with 400 `MAIL_NOT_CONFIGURED`.
   */
  async requestPasswordReset(email: string, options: RequestOptions = {}): Promise<void> {
    await this.client.send('/api/admins/request-password-reset', {
      method: 'POST',
      body: { email },
      auth: false,
      ...req(options),
    });
  }

  /**
   * Sets a new admin password with the mailed link's token (`POST /api/admins/confirm-password-reset`);
   * every session of that admin ends. A used, unknown or expired token → 400 `PASSWORD_RESET_TOKEN_INVALID`.
   */
  async confirmPasswordReset(
    token: string,
    password: string,
    passwordConfirm: string,
    options: RequestOptions = {},
  ): Promise<void> {
    await this.client.send('/api/admins/confirm-password-reset', {
      method: 'POST',
      body: { token, password, passwordConfirm },
      auth: false,
      ...req(options),
    });
  }

  /** Every admin (`GET /api/admins`; needs an admin session or an admin-scoped API key). */
  async list(options: RequestOptions = {}): Promise<AdminModel[]> {
    return (await this.client.send<ListResult<AdminModel>>('/api/admins', req(options))).items;
  }

  /** Deletes an admin and ends its sessions (`DELETE /api/admins/{id}`); the last one → 409 `LAST_ADMIN`. */
  async delete(id: string, options: RequestOptions = {}): Promise<void> {
    await this.client.send(`/api/admins/${encodeURIComponent(id)}`, { method: 'DELETE', ...req(options) });
  }
}
