import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { newId } from '@plinth/core';
import { adminToken, api } from './support/auth.js';
import { MockProviders, oauth2Browser } from './support/oauth2-provider.js';
import { ok } from './support/records.js';
import { startIsolatedApp } from './support/start-app.js';

type App = Awaited<ReturnType<typeof startIsolatedApp>>;

const PUBLIC_URL = 'http://plinth.test';
const APP = 'https://app.example/auth';

/**
 * Issue 16 item 14: an OpenID Connect `sub` is unique per issuer only, so identities are keyed by
 * issuer + subject. Two local issuers hand out the same subject to different people.
 */
describe('social sign-in: OpenID Connect identities are keyed by issuer and subject', () => {
  let first: MockProviders;
  let second: MockProviders;
  let t: App;
  let admin: string;

  const useIssuer = (idp: MockProviders, secret: string) =>
    api(t, admin)('PATCH', '/api/collections/users', {
      options: {
        oauth2: {
          enabled: true,
          redirectAllowList: [APP],
          providers: [{ name: 'oidc', clientId: 'plinth', clientSecret: secret, issuer: idp.issuer }],
        },
      },
    });

  beforeAll(async () => {
    first = await MockProviders.start();
    second = await MockProviders.start();
    t = await startIsolatedApp({ env: { PUBLIC_URL, PLINTH_AUTH_RATE_PER_IP: '10000' } });
    admin = await adminToken(t);
  });
  afterAll(async () => {
    await t?.stop();
    await first?.stop();
    await second?.stop();
  });

  it('the same subject at another issuer is another person, not the first account', async () => {
    ok(await useIssuer(first, 'first-secret'));
    const ann = await oauth2Browser(() => t, first, { publicUrl: PUBLIC_URL, app: APP }).signInOk('oidc', {
      sub: 'shared-sub',
      email: 'ann@example.com',
      emailVerified: true,
    });
    expect(ann.meta.isNew).toBe(true);

    // The admin moves sign-in to another issuer, whose subject "shared-sub" is someone else.
    ok(await useIssuer(second, 'second-secret'));
    const mallory = await oauth2Browser(() => t, second, { publicUrl: PUBLIC_URL, app: APP }).signInOk(
      'oidc',
      { sub: 'shared-sub', email: 'mallory@example.com', emailVerified: true },
    );
    expect({ isNew: mallory.meta.isNew, email: mallory.record.email }).toEqual({
      isNew: true,
      email: 'mallory@example.com',
    });
    expect(mallory.record.id).not.toBe(ann.record.id);
    const { rows } = await t.db.query(
      `SELECT issuer, provider_user_id FROM plinth.external_identity WHERE provider = 'oidc' ORDER BY created`,
    );
    expect(rows).toEqual([
      { issuer: first.issuer, provider_user_id: 'shared-sub' },
      { issuer: second.issuer, provider_user_id: 'shared-sub' },
    ]);
  });

  it('an identity linked before issuers were recorded is claimed by the issuer configured now', async () => {
    // What the migration leaves for an identity whose issuer came from the environment.
    const legacy = ok(
      await api(t)('POST', '/api/collections/users/records', {
        email: 'legacy@example.com',
        password: 'password-123456',
        passwordConfirm: 'password-123456',
      }),
    ).body;
    const { rows: col } = await t.db.query(`SELECT id FROM plinth.collection WHERE name = 'users'`);
    await t.db.query(
      `INSERT INTO plinth.external_identity (id, collection_id, record_id, provider, issuer, provider_user_id, email)
       VALUES ($1, $2, $3, 'oidc', NULL, 'legacy-sub', 'legacy@example.com')`,
      [newId(), col[0].id, legacy.id],
    );
    const signedIn = await oauth2Browser(() => t, second, { publicUrl: PUBLIC_URL, app: APP }).signInOk(
      'oidc',
      { sub: 'legacy-sub', email: 'renamed@example.com', emailVerified: true },
    );
    expect({ isNew: signedIn.meta.isNew, id: signedIn.record.id }).toEqual({ isNew: false, id: legacy.id });
    const { rows } = await t.db.query(
      `SELECT issuer FROM plinth.external_identity WHERE provider_user_id = 'legacy-sub'`,
    );
    expect(rows).toEqual([{ issuer: second.issuer }]);
  });
});
