import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  AppError,
  AuditTrail,
  hashPassword,
  isUuid,
  needsRehash,
  newId,
  newTokenKey,
  OneTimeTokenRepository,
  PLINTH_CONFIG,
  type Principal,
  type ResolvedConfig,
  verifyAgainstNothing,
  verifyPassword,
} from '@plinth/core';
import { AdminRow, AdminsRepository, type AdminSessionRow } from './admins.repository.js';
import { type AccessClaims, fingerprint, sha256, TokensService } from './tokens.service.js';

export interface AdminView {
  id: string;
  email: string;
  created: string;
  updated: string;
}

const SETUP_PURPOSE = 'admin-setup';
const SETUP_TTL_MS = 60 * 60 * 1000;

const sessionEnded = () =>
  new AppError('INVALID_TOKEN', 'This admin session has ended. Sign in again.', {
    headers: { 'www-authenticate': 'Bearer' },
  });

export const toAdminView = (a: AdminRow): AdminView => ({
  id: a.id,
  email: a.email,
  created: new Date(a.created).toISOString(),
  updated: new Date(a.updated).toISOString(),
});

@Injectable()
export class AdminsService {
  private readonly logger = new Logger('Admins');

  constructor(
    private readonly admins: AdminsRepository,
    private readonly tokens: TokensService,
    private readonly oneTime: OneTimeTokenRepository,
    @Inject(PLINTH_CONFIG) private readonly config: ResolvedConfig,
    private readonly audit: AuditTrail,
  ) {}

  async authWithPassword(identity: string, password: string): Promise<{ token: string; admin: AdminView }> {
    return this.startSession(await this.checkPassword(identity, password));
  }

  /** The admin these credentials prove (its hash upgraded when old); 400 INVALID_CREDENTIALS otherwise. */
  async checkPassword(identity: string, password: string): Promise<AdminRow> {
    const admin = await this.admins.findByEmail(identity);
    const ok = admin
      ? await verifyPassword(admin.password_hash, password)
      : await verifyAgainstNothing(password);
    if (!admin || !ok) {
      throw new AppError('INVALID_CREDENTIALS', 'The email or password is wrong.');
    }
    if (needsRehash(admin.password_hash)) {
      await this.admins.upgradePasswordHash(admin.id, admin.password_hash, await hashPassword(password));
    }
    return admin;
  }

  async findById(id: string): Promise<AdminRow | undefined> {
    return this.admins.findById(id);
  }

  /**
   * A new token of the same session for the admin behind a valid admin token, until the session's
   * absolute lifetime (PLINTH_ADMIN_SESSION_TTL since sign-in) ends: the new token expires no later.
   * Anonymous callers get 401; API keys and app users 403, since only admin sessions renew this way.
   */
  async refresh(principal: Principal, authorization = ''): Promise<{ token: string; admin: AdminView }> {
    const session = await this.currentSession(
      principal,
      authorization,
      'Only an admin token can be refreshed here; app users refresh through their collection, API keys do not expire this way.',
    );
    return { token: await this.tokenFor(session), admin: toAdminView(session) };
  }

  /** Ends the session of this admin token, or with `all` every session of its admin. */
  async logout(principal: Principal, authorization: string | undefined, all = false): Promise<void> {
    const session = await this.currentSession(
      principal,
      authorization,
      'Only an admin signs out here (with the admin token); API keys are revoked under /api/keys.',
    );
    if (all) await this.admins.endSessions(session.id);
    else await this.admins.endSession(session.id, session.session_id);
  }

  /**
   * Changes the password of the admin of this session, given the current one; every other session of
   * the admin ends, this one goes on. A wrong current password is INVALID_CREDENTIALS (counted by the
   * caller toward the account's failed sign-ins).
   */
  async changePassword(
    principal: Principal,
    authorization: string | undefined,
    currentPassword: string,
    password: string,
  ): Promise<AdminView> {
    const session = await this.currentSession(
      principal,
      authorization,
      'Only a signed-in admin changes its own password; API keys and app users have none here.',
    );
    if (!(await verifyPassword(session.password_hash, currentPassword))) {
      throw new AppError('INVALID_CREDENTIALS', 'The current password is wrong.', {
        errors: [{ path: 'currentPassword', code: 'INVALID', message: 'is not your current password' }],
      });
    }
    if (!(await this.admins.setPassword(session.id, await hashPassword(password), session.session_id))) {
      throw sessionEnded();
    }
    return toAdminView((await this.admins.findById(session.id)) ?? session);
  }

  async list(): Promise<AdminView[]> {
    return (await this.admins.list()).map(toAdminView);
  }

  /** Deletes an admin and with it every session; never the last admin (nobody could sign in). */
  async delete(id: string): Promise<void> {
    const notFound = () =>
      new AppError('ADMIN_NOT_FOUND', `There is no admin with the id ${JSON.stringify(id.slice(0, 40))}.`);
    if (!isUuid(id)) throw notFound();
    const outcome = await this.admins.deleteUnlessLast(id, (tx, email) =>
      this.audit.record(
        {
          action: 'admin.delete',
          targetType: 'admin',
          targetId: id,
          targetName: email,
          summary: `deleted admin ${email}`,
        },
        tx,
      ),
    );
    if (outcome === 'missing') throw notFound();
    if (outcome === 'last') {
      throw new AppError(
        'LAST_ADMIN',
        'This is the last admin: create another admin first (console or npm run plinth -- admin create <email>), then delete this one.',
      );
    }
  }

  /** The command line's `admin delete <email>`. */
  async deleteByEmail(email: string): Promise<AdminView> {
    const admin = await this.findByEmailOrFail(email);
    await this.delete(admin.id);
    return toAdminView(admin);
  }

  /** The command line's `admin reset-password <email>`: a new password, and every session ends. */
  async resetPassword(email: string, password: string): Promise<AdminView> {
    const admin = await this.findByEmailOrFail(email);
    if (!(await this.admins.setPassword(admin.id, await hashPassword(password)))) {
      throw new AppError('ADMIN_NOT_FOUND', `There is no admin with the email ${email}.`);
    }
    return toAdminView(admin);
  }

  private async findByEmailOrFail(email: string): Promise<AdminRow> {
    const admin = await this.admins.findByEmail(email.trim());
    if (!admin) throw new AppError('ADMIN_NOT_FOUND', `There is no admin with the email ${email}.`);
    return admin;
  }

  /**
   * The live session behind an admin token, read as stored now (the guard checked it a moment ago;
   * this also gives its row). Anonymous → 401; an API key or app user → 403 with `notAdmin`.
   */
  private async currentSession(
    principal: Principal,
    authorization: string | undefined,
    notAdmin: string,
  ): Promise<AdminSessionRow> {
    if (principal.kind === 'anonymous') {
      throw new AppError('UNAUTHORIZED', 'Send the admin token as Authorization: Bearer <token>.', {
        headers: { 'www-authenticate': 'Bearer' },
      });
    }
    if (principal.kind !== 'admin') throw new AppError('ADMIN_REQUIRED', notAdmin);
    const claims = await this.tokens.verify((authorization ?? '').replace(/^Bearer\s+/i, '').trim());
    const session = claims && claims.sub === principal.id ? await this.sessionOf(claims) : undefined;
    if (!session) throw sessionEnded();
    return session;
  }

  private async sessionOf(claims: Pick<AccessClaims, 'sub' | 'tk' | 'sid'>) {
    if (!isUuid(claims.sub) || !isUuid(claims.sid)) return undefined;
    const session = await this.admins.findSession(claims.sub, claims.sid);
    return session && fingerprint(session.token_key) === claims.tk ? session : undefined;
  }

  async create(email: string, password: string): Promise<AdminView> {
    const row = await this.admins.insert({
      id: newId(),
      email: email.trim(),
      password_hash: await hashPassword(password),
      token_key: newTokenKey(),
    });
    if (!row) throw new AppError('ADMIN_EXISTS', `An admin with the email ${email} exists already.`);
    await this.recordCreated(row);
    return toAdminView(row);
  }

  private recordCreated(row: AdminRow, how = '', tx?: EntityManager): Promise<void> {
    return this.audit.record(
      {
        action: 'admin.create',
        targetType: 'admin',
        targetId: row.id,
        targetName: row.email,
        summary: `added admin ${row.email}${how ? ` ${how}` : ''}`,
      },
      tx,
    );
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

  async anyExists(): Promise<boolean> {
    return (await this.admins.count()) > 0;
  }

  async setupFirstAdmin(
    token: string,
    email: string,
    password: string,
  ): Promise<{ token: string; admin: AdminView }> {
    const tokenHash = sha256(token);
    const adminExists = () =>
      new AppError(
        'ADMIN_EXISTS',
        `An admin exists already, so this setup link no longer works. Sign in at ${this.config.http.publicUrl}/_/ ` +
          "with that admin's email and password. Lost the password? On the server run: npm run plinth -- admin reset-password <email>",
      );
    const invalidLink = () =>
      new AppError(
        'SETUP_TOKEN_INVALID',
        'This setup link is unknown, used or expired. Restart Plinth to print a new one.',
      );
    if (!(await this.oneTime.exists(SETUP_PURPOSE, tokenHash))) {
      // A used link: its admin exists, so say how to get in rather than "restart Plinth".
      if (await this.anyExists()) throw adminExists();
      throw invalidLink();
    }
    const passwordHash = await hashPassword(password);
    // Under one lock, so that links used at the same moment create one first admin, not one each.
    const admin = await this.admins.withSetupLock(async (tx) => {
      if ((await this.admins.count(tx)) > 0) throw adminExists();
      if (!(await this.admins.consumeToken(tx, SETUP_PURPOSE, tokenHash))) throw invalidLink();
      const row = await this.admins.insert(
        { id: newId(), email: email.trim(), password_hash: passwordHash, token_key: newTokenKey() },
        tx,
      );
      if (!row) throw new AppError('ADMIN_EXISTS', `An admin with the email ${email} exists already.`);
      await this.recordCreated(row, 'with the setup link', tx);
      return row;
    });
    return this.startSession(admin);
  }

  /** A new session of a signed-in admin (password or setup link) and its first token. */
  async startSession(admin: AdminRow): Promise<{ token: string; admin: AdminView }> {
    const created = new Date();
    const session: AdminSessionRow = {
      ...admin,
      session_id: newId(),
      session_created: created,
      session_expires_at: new Date(created.getTime() + this.config.auth.adminSessionTtlSeconds * 1000),
    };
    await this.admins.insertSession({
      id: session.session_id,
      admin_id: admin.id,
      created,
      expires_at: session.session_expires_at,
    });
    return { token: await this.tokenFor(session), admin: toAdminView(admin) };
  }

  /** An access token bound to the session, with its sign-in time; it never outlives the session. */
  private tokenFor(session: AdminSessionRow): Promise<string> {
    return this.tokens.sign(
      {
        typ: 'admin',
        sub: session.id,
        tk: fingerprint(session.token_key),
        sid: session.session_id,
        auth_time: Math.floor(new Date(session.session_created).getTime() / 1000),
      },
      new Date(session.session_expires_at).getTime() / 1000,
    );
  }

  /**
   * The admin behind a verified token while its session lives. Read from PostgreSQL on every admin
   * request, with no per-replica cache: a sign-out, password change or deletion holds on every replica
   * at once (admin requests are not the hot path; app users' are).
   */
  async principalFor(claims: Pick<AccessClaims, 'sub' | 'tk' | 'sid'>): Promise<Principal | undefined> {
    const session = await this.sessionOf(claims);
    return session && { kind: 'admin', id: session.id, email: session.email };
  }
}
