import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SMTPServer } from 'smtp-server';
import { adminToken, api } from '../support/auth.js';
import { errorPaths, expectApiProblem } from '../support/problem.js';
import { ok } from '../support/records.js';
import { startIsolatedApp } from '../support/start-app.js';

type App = Awaited<ReturnType<typeof startIsolatedApp>>;

/** An SMTP server that accepts any sign-in and remembers every password it was given. */
async function passwordCatcher(): Promise<{ port: number; passwords: string[]; stop(): Promise<void> }> {
  const passwords: string[] = [];
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authOptional: true,
    logger: false,
    onAuth: (auth, _session, callback) => {
      passwords.push(String(auth.password));
      callback(null, { user: auth.username });
    },
    onData: (stream, _session, callback) => {
      stream.resume();
      stream.on('end', () => callback());
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.server.address() as AddressInfo).port,
    passwords,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const PEM = (tag: string) => `-----BEGIN PRIVATE KEY-----\n${tag}\n-----END PRIVATE KEY-----\n`;

/**
 * Issue 16 item 7: a stored secret is kept ("" or absent = keep) only while the server it is sent
 * to stays the same. Otherwise an admin points the endpoint at a listener of their own and reads it.
 */
describe('abuse: stored secrets cannot be recovered by moving their endpoint', () => {
  let t: App;
  let admin: ReturnType<typeof api>;
  let legit: Awaited<ReturnType<typeof passwordCatcher>>;
  let thief: Awaited<ReturnType<typeof passwordCatcher>>;

  beforeAll(async () => {
    legit = await passwordCatcher();
    thief = await passwordCatcher();
    t = await startIsolatedApp();
    admin = api(t, await adminToken(t));
  });
  afterAll(async () => {
    await t?.stop();
    await legit?.stop();
    await thief?.stop();
  });

  const mail = { host: '127.0.0.1', tls: false, from: 'Ops <ops@acme.example>' };

  it('SMTP: a changed port, host, user or TLS needs the password again; the listener gets none', async () => {
    ok(
      await admin('PATCH', '/api/settings', {
        mail: { ...mail, port: legit.port, username: 'ops', password: 'smtp-stored-secret' },
      }),
    );
    ok(await admin('POST', '/api/settings/mail/test', { to: 'check@acme.example' }));
    expect(legit.passwords).toEqual(['smtp-stored-secret']);

    for (const change of [
      { port: thief.port },
      { port: thief.port, password: '' },
      { host: 'localhost', password: '' },
      { username: 'someone-else' },
      { tls: true },
    ]) {
      const refused = expectApiProblem(
        await admin('PATCH', '/api/settings', { mail: change }),
        400,
        'VALIDATION_FAILED',
      );
      expect({ change, paths: errorPaths(refused) }).toEqual({ change, paths: ['mail.password'] });
      expect(refused.detail).toMatch(/mail\.password again/);
      expect(refused.errors[0].message).toMatch(/entered again/);
    }
    // Nothing was saved: the test mail still goes to the real server, the listener heard nothing.
    ok(await admin('POST', '/api/settings/mail/test', { to: 'check@acme.example' }));
    expect(thief.passwords).toEqual([]);
    expect((await admin('GET', '/api/settings')).body.mail).toMatchObject({ port: legit.port });

    // Entering the password with the new port is fine (and shows the listener would have caught it).
    ok(await admin('PATCH', '/api/settings', { mail: { port: thief.port, password: 'typed-again' } }));
    ok(await admin('POST', '/api/settings/mail/test', { to: 'check@acme.example' }));
    expect(thief.passwords).toEqual(['typed-again']);
    // Changes that do not move the password keep it; null clears it, whatever else changes.
    ok(await admin('PATCH', '/api/settings', { mail: { from: 'Acme <a@acme.example>' } }));
    ok(await admin('PATCH', '/api/settings', { mail: { port: legit.port, username: '', password: null } }));
    expect((await admin('GET', '/api/settings')).body.mail).toMatchObject({ username: '', password: '' });
  });

  it('storage: a changed S3 endpoint, bucket or access key id needs the secret key again', async () => {
    const s3 = {
      driver: 's3',
      s3Endpoint: 'http://127.0.0.1:9',
      s3Bucket: 'files',
      s3AccessKeyId: 'AKIAEXAMPLE',
      s3SecretAccessKey: 's3-stored-secret',
    };
    ok(await admin('PATCH', '/api/settings', { storage: s3 }));
    for (const change of [
      { s3Endpoint: `http://127.0.0.1:${thief.port}` },
      { s3Bucket: 'other', s3SecretAccessKey: '' },
      { s3AccessKeyId: 'AKIAOTHER' },
    ]) {
      const refused = expectApiProblem(
        await admin('PATCH', '/api/settings', { storage: change }),
        400,
        'VALIDATION_FAILED',
      );
      expect({ change, paths: errorPaths(refused) }).toEqual({
        change,
        paths: ['storage.s3SecretAccessKey'],
      });
    }
    ok(await admin('PATCH', '/api/settings', { storage: { s3Region: 'eu-west-1' } }));
    ok(await admin('PATCH', '/api/settings', { storage: { driver: 'local' } }));
  });

  it('push: a changed FCM token URL, endpoint or account, or APNs endpoint, needs the key again', async () => {
    ok(
      await admin('PATCH', '/api/settings', {
        push: {
          fcmClientEmail: 'push@project.iam.gserviceaccount.com',
          fcmPrivateKey: PEM('fcm'),
          apnsPrivateKey: PEM('apns'),
        },
      }),
    );
    const cases: Array<[Record<string, unknown>, string[]]> = [
      [{ fcmTokenUrl: 'https://evil.example/token' }, ['push.fcmPrivateKey']],
      [{ fcmEndpoint: 'https://evil.example', fcmPrivateKey: '' }, ['push.fcmPrivateKey']],
      [{ fcmClientEmail: 'other@evil.example' }, ['push.fcmPrivateKey']],
      [{ apnsEndpoint: 'https://evil.example' }, ['push.apnsPrivateKey']],
      [
        { apnsEndpoint: 'https://evil.example', fcmTokenUrl: 'https://evil.example/token' },
        ['push.fcmPrivateKey', 'push.apnsPrivateKey'],
      ],
    ];
    for (const [change, paths] of cases) {
      const refused = expectApiProblem(
        await admin('PATCH', '/api/settings', { push: change }),
        400,
        'VALIDATION_FAILED',
      );
      expect({ change, paths: errorPaths(refused).sort() }).toEqual({ change, paths: paths.sort() });
    }
    ok(await admin('PATCH', '/api/settings', { push: { apnsBundleId: 'dev.plinth.app' } }));
  });

  it('OAuth providers: changed URLs or issuer need the client secret again, on PATCH and on import', async () => {
    const google = {
      name: 'google',
      clientId: 'google-client',
      authUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
      tokenUrl: 'https://oauth2.googleapis.com/token',
      userInfoUrl: 'https://openidconnect.googleapis.com/v1/userinfo',
    };
    const oidc = { name: 'oidc', clientId: 'oidc-client', issuer: 'https://id.example' };
    const options = (providers: unknown[]) => ({
      oauth2: { enabled: true, redirectAllowList: ['https://app.example/auth'], providers },
    });
    ok(
      await admin('PATCH', '/api/collections/users', {
        options: options([
          { ...google, clientSecret: 'google-stored-secret' },
          { ...oidc, clientSecret: 'oidc-stored-secret' },
        ]),
      }),
    );
    const cases: Array<[unknown[], string[]]> = [
      [
        [{ ...google, tokenUrl: 'https://evil.example/token' }, oidc],
        ['options.oauth2.providers.0.clientSecret'],
      ],
      [
        [{ ...google, clientSecret: '', userInfoUrl: 'https://evil.example/me' }, oidc],
        ['options.oauth2.providers.0.clientSecret'],
      ],
      [[google, { ...oidc, issuer: 'https://evil.example' }], ['options.oauth2.providers.1.clientSecret']],
      [[{ ...oidc, tokenUrl: 'https://evil.example/token' }], ['options.oauth2.providers.0.clientSecret']],
    ];
    for (const [providers, paths] of cases) {
      const refused = expectApiProblem(
        await admin('PATCH', '/api/collections/users', { options: options(providers) }),
        400,
        'VALIDATION_FAILED',
      );
      expect({ providers, paths: errorPaths(refused) }).toEqual({ providers, paths });
      expect(refused.detail).toMatch(/client secret again/);
    }
    // The schema import is another way to save a collection: the same rule holds.
    const users = ok(await admin('GET', '/api/collections/users')).body;
    const exported = {
      ...users,
      ...options([{ ...google, tokenUrl: 'https://evil.example/token' }, oidc]),
    };
    const imported = await admin('PUT', '/api/collections/import', { collections: [exported] });
    expectApiProblem(imported, 400, 'VALIDATION_FAILED');
    expect(JSON.stringify(imported.body)).toContain('clientSecret');
    // Unchanged endpoints keep the secrets; the stored options still name the real endpoints.
    ok(await admin('PATCH', '/api/collections/users', { options: options([google, oidc]) }));
    const stored = (await t.db.query("SELECT options::text AS o FROM plinth.collection WHERE name = 'users'"))
      .rows[0].o as string;
    expect(stored).not.toContain('evil.example');
    expect(stored.match(/enc:v1:/g)).toHaveLength(2);
  });
});
