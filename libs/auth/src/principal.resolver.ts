import { Injectable } from '@nestjs/common';
import { AuthRecordLoader } from '@plinth/collections';
import { ANONYMOUS, AppError, type Principal } from '@plinth/core';
import { AdminsService } from './admins.service.js';
import { ApiKeysService, isApiKey } from './api-keys.service.js';
import { fingerprint, TokensService } from './tokens.service.js';

const invalid = () =>
  new AppError('INVALID_TOKEN', 'The token is invalid or expired. Sign in again (or refresh the token).', {
    headers: { 'www-authenticate': 'Bearer' },
  });

/** Authorization header → Principal: `Bearer <jwt|plk_key>`, or a bare token as PocketBase clients send. */
@Injectable()
export class PrincipalResolver {
  constructor(
    private readonly tokens: TokensService,
    private readonly admins: AdminsService,
    private readonly keys: ApiKeysService,
    private readonly records: AuthRecordLoader,
  ) {}

  // A loaded auth record's token-key fingerprint, hashed once while the loader keeps the record.
  private readonly fingerprints = new WeakMap<{ tokenKey: string }, string>();

  private fingerprintOf(found: { tokenKey: string }): string {
    let tk = this.fingerprints.get(found);
    if (tk === undefined) this.fingerprints.set(found, (tk = fingerprint(found.tokenKey)));
    return tk;
  }

  async resolve(header: string | undefined): Promise<Principal> {
    if (!header) return ANONYMOUS;
    const token = header.replace(/^Bearer\s+/i, '').trim();
    if (!token) return ANONYMOUS;
    if (isApiKey(token)) {
      const principal = await this.keys.principalFor(token);
      if (!principal) throw invalid();
      return principal;
    }
    const claims = await this.tokens.verify(token);
    if (!claims) throw invalid();
    if (claims.typ === 'admin') {
      const principal = await this.admins.principalFor(claims);
      if (!principal) throw invalid();
      return principal;
    }
    if (!claims.col) throw invalid();
    let found = await this.records.load(claims.col, claims.sub);
    if (found && this.fingerprintOf(found) !== claims.tk) {
      // The cached record may predate a token-key change that this token was signed after.
      found = await this.records.load(claims.col, claims.sub, { fresh: true });
    }
    if (!found || this.fingerprintOf(found) !== claims.tk) throw invalid();
    return {
      kind: 'user',
      id: claims.sub,
      collectionId: claims.col,
      collectionName: found.collectionName,
      record: found.record,
      ...(typeof claims.sid === 'string' ? { session: claims.sid } : {}),
    };
  }
}
