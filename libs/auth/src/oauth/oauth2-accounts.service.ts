import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import {
  ChangeOutbox,
  changeEvent,
  type CompiledCollection,
  RecordEvents,
  type RecordChange,
  storedRecord,
} from '@plinth/collections';
import { hashPassword, newTokenKey } from '@plinth/core';
import { type AccountRow, UserAccountsRepository } from '../users/user-accounts.repository.js';
import { ExternalIdentitiesRepository, type IdentityKey } from './external-identities.repository.js';
import type { ProviderIdentity } from './provider-identity.js';
import { SignInRefused } from './sign-in-refused.js';

/**
 * The account of someone the provider identified: the one linked before, an existing one linked only
 * through an email the provider verified, or a new one when the collection lets people sign up.
 */
@Injectable()
export class OAuth2AccountsService {
  constructor(
    private readonly identities: ExternalIdentitiesRepository,
    private readonly accounts: UserAccountsRepository,
    private readonly recordEvents: RecordEvents,
    private readonly outbox: ChangeOutbox,
  ) {}

  /** Finds the linked account, links one through a verified email, or creates one. */
  async resolve(
    c: CompiledCollection,
    provider: string,
    issuer: string,
    identity: ProviderIdentity,
    attempt = 0,
  ): Promise<{ account: AccountRow; isNew: boolean }> {
    const key: IdentityKey = { collectionId: c.def.id, provider, issuer, providerUserId: identity.id };
    try {
      const linked = await this.identities.findAccount(c, key);
      if (linked) return { account: linked, isNew: false };
      if (!identity.email) {
        throw new SignInRefused(
          'OAUTH2_EMAIL_REQUIRED',
          `${provider} did not share an email address; allow it to, then sign in again.`,
        );
      }
      const existing = await this.accounts.findByEmail(c, identity.email);
      if (existing) {
        if (!identity.emailVerified) {
          // Linking through an address the provider has not verified would let anyone claim any account.
          throw new SignInRefused(
            'OAUTH2_EMAIL_TAKEN',
            `An account with this email exists and ${provider} has not verified the address, so they cannot be linked. ` +
              'Sign in with the password, or verify the address at the provider.',
          );
        }
        const account =
          existing.verified === true
            ? (await this.identities.link(key, existing.id, identity.email), existing)
            : await this.identities.claimUnverified(c, key, existing.id, identity.email, await newSecrets());
        return { account, isNew: false };
      }
      if (c.def.createRule === null) {
        throw new SignInRefused(
          'OAUTH2_SIGNUP_CLOSED',
          `New accounts of "${c.def.name}" are created by admins only (its createRule is null).`,
        );
      }
      const secrets = await newSecrets();
      const created = (row: AccountRow): RecordChange => ({
        action: 'create',
        collectionId: c.def.id,
        collectionName: c.def.name,
        record: storedRecord(c, row),
        // Made by a caller who had no token yet (as a sign-up through the records API).
        actor: { kind: 'anonymous' },
      });
      // A new record like any other: its event goes into the outbox with it (webhooks), then to
      // realtime and push triggers (AuthEvents derives signup).
      const account = await this.identities.createAccount(
        c,
        key,
        { email: identity.email, verified: identity.emailVerified, ...secrets },
        (tx, row) => this.outbox.write(tx, [changeEvent(created(row))]),
      );
      this.recordEvents.emit(created(account));
      return { account, isNew: true };
    } catch (err) {
      // Two callbacks of the same person at once: the loser finds what the winner created.
      if ((err as { code?: string }).code === '23505' && attempt === 0) {
        return this.resolve(c, provider, issuer, identity, 1);
      }
      throw err;
    }
  }
}

/** A random password nobody knows (the account signs in through the provider) and a token key. */
async function newSecrets(): Promise<{ passwordHash: string; tokenKey: string }> {
  return { passwordHash: await hashPassword(randomBytes(32).toString('base64url')), tokenKey: newTokenKey() };
}
