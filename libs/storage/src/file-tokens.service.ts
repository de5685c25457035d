import { createSecretKey, type KeyObject } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AdminsService, deriveKey, TokensService } from '@plinth/auth';
import { AuthRecordLoader } from '@plinth/collections';
import { AppError, fingerprint, PLINTH_CONFIG, type Principal, type ResolvedConfig } from '@plinth/core';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';

/** File tokens live two minutes (DESIGN §10). */
export const FILE_TOKEN_TTL_SECONDS = 120;

const invalid = () =>
  new AppError(
    'FILE_TOKEN_INVALID',
    'The file token is invalid or expired. Ask for a new one with POST /api/files/token (it lives 120 s).',
  );

/**
 * Short-lived tokens for protected files: HS256 JWTs under their own key (HKDF info
 * "plinth file token"), carrying the same account claims as the caller's access token, so that
 * signing out everywhere (a new token key) voids them too.
 */
@Injectable()
export class FileTokensService {
  private readonly key: KeyObject;

  constructor(
    @Inject(PLINTH_CONFIG) config: ResolvedConfig,
    private readonly tokens: TokensService,
    private readonly admins: AdminsService,
    private readonly authRecords: AuthRecordLoader,
  ) {
    this.key = createSecretKey(deriveKey(config.secret, 'plinth file token'));
  }

  /** A file token for the caller of `authorization` (the access token the guard accepted). */
  async issue(principal: Principal, authorization: string | undefined): Promise<string> {
    if (principal.kind !== 'user' && principal.kind !== 'admin') {
      throw new AppError(
        principal.kind === 'anonymous' ? 'UNAUTHORIZED' : 'FILE_TOKEN_FORBIDDEN',
        principal.kind === 'anonymous'
          ? 'Sign in first: file tokens are issued to signed-in users and admins.'
          : 'File tokens are issued to signed-in users and admins, not to API keys.',
      );
    }
    const raw = (authorization ?? '').replace(/^Bearer\s+/i, '').trim();
    const claims = await this.tokens.verify(raw);
    if (!claims || claims.sub !== principal.id) throw invalid();
    return new SignJWT({
      typ: claims.typ,
      tk: claims.tk,
      ...(claims.col ? { col: claims.col } : {}),
      // An admin's file token ends with its session.
      ...(claims.sid ? { sid: claims.sid } : {}),
    })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(claims.sub)
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + FILE_TOKEN_TTL_SECONDS)
      .sign(this.key);
  }

  /** The caller a file token stands for; FILE_TOKEN_INVALID when it is bad, expired or revoked. */
  async principalOf(token: string): Promise<Principal> {
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, this.key, { algorithms: ['HS256'] }));
    } catch (err) {
      if (err instanceof joseErrors.JOSEError || err instanceof TypeError) throw invalid();
      throw err;
    }
    const { typ, sub, tk, col, sid } = payload;
    if (typeof sub !== 'string' || typeof tk !== 'string') throw invalid();
    if (typ === 'admin') {
      const principal = await this.admins.principalFor({
        sub,
        tk,
        sid: typeof sid === 'string' ? sid : undefined,
      });
      if (!principal) throw invalid();
      return principal;
    }
    if (typ !== 'auth' || typeof col !== 'string') throw invalid();
    let found = await this.authRecords.load(col, sub);
    if (found && fingerprint(found.tokenKey) !== tk)
      found = await this.authRecords.load(col, sub, { fresh: true });
    if (!found || fingerprint(found.tokenKey) !== tk) throw invalid();
    return {
      kind: 'user',
      id: sub,
      collectionId: col,
      collectionName: found.collectionName,
      record: found.record,
    };
  }
}
