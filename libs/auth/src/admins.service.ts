import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  AppError,
  hashPassword,
  newId,
  newTokenKey,
  OneTimeTokenRepository,
  PLINTH_CONFIG,
  type Principal,
  type ResolvedConfig,
  verifyAgainstNothing,
  verifyPassword,
} from '@plinth/core';
import { AdminRow, AdminsRepository } from './admins.repository.js';
import { fingerprint, sha256, TokensService } from './tokens.service.js';

export interface AdminView {
  id: string;
  email: string;
  created: string;
  updated: string;
}

const SETUP_PURPOSE = 'admin-setup';
const SETUP_TTL_MS = 60 * 60 * 1000;
const CACHE_MS = 5000;

export const toAdminView = (a: AdminRow): AdminView => ({
  id: a.id,
  email: a.email,
  created: new Date(a.created).toISOString(),
  updated: new Date(a.updated).toISOString(),
});

@Injectable()
export class AdminsService {
  private readonly logger = new Logger('Admins');
  private readonly cache = new Map<string, { admin: AdminRow; until: number }>();

  constructor(
    private readonly admins: AdminsRepository,
    private readonly tokens: TokensService,
    private readonly oneTime: OneTimeTokenRepository,
    @Inject(PLINTH_CONFIG) private readonly config: ResolvedConfig,
  ) {}

  async authWithPassword(identity: string, password: string): Promise<{ token: string; admin: AdminView }> {
    const admin = await this.admins.findByEmail(identity);
    const ok = admin
      ? await verifyPassword(admin.password_hash, password)
      : await verifyAgainstNothing(password);
    if (!admin || !ok) {
      throw new AppError('INVALID_CREDENTIALS', 'The email or password is wrong.');
    }
    return { token: await this.tokenFor(admin), admin: toAdminView(admin) };
  }

  /**
   * A new token for the admin behind a valid admin token (the guard has verified it: signature, expiry,
   * token key). Anonymous callers get 401; API keys and app users 403, since only admin sessions expire
   * this way.
   */
  async refresh(principal: Principal, authorization = ''): Promise<{ token: string; admin: AdminView }> {
    if (principal.kind === 'anonymous') {
      throw new AppError('UNAUTHORIZED', 'Send the admin token to refresh as Authorization: Bearer.', {
        headers: { 'www-authenticate': 'Bearer' },
      });
    }
    if (principal.kind !== 'admin') {
      throw new AppError(
        'ADMIN_REQUIRED',
        'Only an admin token can be refreshed here; app users refresh through their collection, API keys do not expire this way.',
      );
    }
    // Checked against the row as stored now, not the 5 s cache the guard used: a token key changed
    // a moment ago must not be carried over into a fresh token.
    const claims = await this.tokens.verify(authorization.replace(/^Bearer\s+/i, '').trim());
    const admin = await this.admins.findById(principal.id);
    if (!claims || claims.sub !== principal.id || !admin || fingerprint(admin.token_key) !== claims.tk) {
      throw new AppError('INVALID_TOKEN', 'This admin session has ended. Sign in again.', {
        headers: { 'www-authenticate': 'Bearer' },
      });
    }
    return { token: await this.tokenFor(admin), admin: toAdminView(admin) };
  }

  async create(email: string, password: string): Promise<AdminView> {
    const row = await this.admins.insert({
      id: newId(),
      email: email.trim(),
      password_hash: await hashPassword(password),
      token_key: newTokenKey(),
    });
    if (!row) throw new AppError('ADMIN_EXISTS', `An admin with the email ${email} exists already.`);
    return toAdminView(row);
  }

  /**
   * When no admin exists, prints a one-time link (valid for an hour) that opens the console's
   * "create the first admin" page. Returns the token for tests and the CLI.
   */
  async issueSetupLinkIfNeeded(): Promise<string | undefined> {
    if ((await this.admins.count()) > 0) return undefined;
    const token = randomBytes(24).toString('base64url');
    await this.oneTime.create({
      id: newId(),
      purpose: SETUP_PURPOSE,
      tokenHash: sha256(token),
      expiresAt: new Date(Date.now() + SETUP_TTL_MS),
    });
    this.logger.warn(
      `No admin exists yet. Within an hour, create the first one at ${this.config.http.publicUrl}/_/#/setup?token=${token} ` +
        `(or POST {"token": "${token}", "email": ..., "password": ...} to /api/admins/setup), ` +
        'or any time with: npm run plinth -- admin create <email>',
    );
    return token;
  }

  async setupFirstAdmin(
    token: string,
    email: string,
    password: string,
  ): Promise<{ token: string; admin: AdminView }> {
    const tokenHash = sha256(token);
    const invalidLink = () =>
      new AppError(
        'SETUP_TOKEN_INVALID',
        'This setup link is unknown, used or expired. Restart Plinth to print a new one.',
      );
    if (!(await this.oneTime.exists(SETUP_PURPOSE, tokenHash))) throw invalidLink();
    const passwordHash = await hashPassword(password);
    // Under one lock, so that links used at the same moment create one first admin, not one each.
    const admin = await this.admins.withSetupLock(async (tx) => {
      if ((await this.admins.count(tx)) > 0) {
        throw new AppError('ADMIN_EXISTS', 'An admin exists already; sign in instead.');
      }
      if (!(await this.admins.consumeToken(tx, SETUP_PURPOSE, tokenHash))) throw invalidLink();
      const row = await this.admins.insert(
        { id: newId(), email: email.trim(), password_hash: passwordHash, token_key: newTokenKey() },
        tx,
      );
      if (!row) throw new AppError('ADMIN_EXISTS', `An admin with the email ${email} exists already.`);
      return row;
    });
    return { token: await this.tokenFor(admin), admin: toAdminView(admin) };
  }

  async tokenFor(admin: AdminRow): Promise<string> {
    return this.tokens.sign({ typ: 'admin', sub: admin.id, tk: fingerprint(admin.token_key) });
  }

  /** The admin behind a verified token, if it still exists and its token key is unchanged. */
  async principalFor(id: string, tk: string): Promise<Principal | undefined> {
    const now = Date.now();
    let hit = this.cache.get(id);
    if (!hit || hit.until < now) {
      const admin = await this.admins.findById(id);
      if (!admin) {
        this.cache.delete(id);
        return undefined;
      }
      hit = { admin, until: now + CACHE_MS };
      this.cache.set(id, hit);
    }
    if (fingerprint(hit.admin.token_key) !== tk) return undefined;
    return { kind: 'admin', id: hit.admin.id, email: hit.admin.email };
  }
}
