import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createRedisPrefix, createTestDatabase, eventually, type TestDatabase } from '@plinth/testing';
import { adminToken, api } from '../support/auth.js';
import { Mailbox } from '../support/mailbox.js';
import { errorPaths, expectApiProblem } from '../support/problem.js';
import { fcmSettings, startApns, startFcm, type ApnsStub, type FcmStub } from '../support/push-providers.js';
import { createUser, ok } from '../support/records.js';
import { startApp, type TestApp } from '../support/start-app.js';

const PUBLIC_URL = 'http://plinth.test';
const APP = 'https://app.example/auth';
const HINT = 'PLINTH_ALLOW_PRIVATE_ENDPOINTS';

/** An HTTP server on 127.0.0.1 that counts every request it gets (S3 and OIDC stand-in). */
async function recorder(): Promise<{ url: string; hits: string[]; server: Server }> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    res.writeHead(500).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits, server };
}

/**
 * Issue 16 item 16: admin-configured outbound endpoints (SMTP host, S3 endpoint, OIDC issuer and
 * URLs, FCM/APNs endpoints) on private or loopback addresses are refused unless
 * PLINTH_ALLOW_PRIVATE_ENDPOINTS=true: when saved (400 naming the field), and again on connect, for
 * values saved before or given by the environment.
 */
describe('abuse: admin-configured outbound URLs must be public', () => {
  let db: TestDatabase;
  const redis = createRedisPrefix();
  /** PLINTH_ALLOW_PRIVATE_ENDPOINTS=true (the harness default): saves what the strict server refuses. */
  let loose: TestApp;
  /** PLINTH_ALLOW_PRIVATE_ENDPOINTS=false, on the same database. */
  let strict: TestApp;
  let looseAdmin: ReturnType<typeof api>;
  let admin: ReturnType<typeof api>;
  let mailbox: Mailbox;
  let http: Awaited<ReturnType<typeof recorder>>;
  let fcm: FcmStub;
  let apns: ApnsStub;

  beforeAll(async () => {
    db = await createTestDatabase();
    [mailbox, http, fcm, apns] = await Promise.all([Mailbox.start(), recorder(), startFcm(), startApns()]);
    const common = { databaseUrl: db.url, redisPrefix: redis.prefix };
    const env = {
      PUBLIC_URL,
      PLINTH_OAUTH2_OIDC_CLIENT_ID: 'plinth',
      PLINTH_OAUTH2_OIDC_CLIENT_SECRET: 'oidc-secret',
    };
    loose = await startApp({ ...common, env: { ...env, PLINTH_WORKERS: 'off' } });
    strict = await startApp({ ...common, env: { ...env, PLINTH_ALLOW_PRIVATE_ENDPOINTS: 'false' } });
    looseAdmin = api(loose, await adminToken(loose));
    admin = api(strict, await adminToken(strict));
  });
  afterAll(async () => {
    await strict?.close();
    await loose?.close();
    await db?.drop();
    await redis.cleanup();
    await mailbox?.stop();
    await new Promise((resolve) => http?.server.close(resolve));
    await fcm?.close();
    await apns?.close();
  });

  it('refuses private or loopback endpoints when settings are saved, naming each field', async () => {
    const cases: Array<[Record<string, Record<string, unknown>>, string[]]> = [
      [{ mail: { host: '127.0.0.1' } }, ['mail.host']],
      [{ mail: { host: 'localhost' } }, ['mail.host']],
      [{ mail: { host: '10.1.2.3' } }, ['mail.host']],
      [{ mail: { host: 'mailhog' } }, ['mail.host']],
      [{ storage: { s3Endpoint: 'http://169.254.169.254' } }, ['storage.s3Endpoint']],
      [{ storage: { s3Endpoint: 'http://[::1]:9000' } }, ['storage.s3Endpoint']],
      [
        { push: { fcmTokenUrl: 'http://127.0.0.1:9/token', fcmEndpoint: 'http://192.168.0.10' } },
        ['push.fcmEndpoint', 'push.fcmTokenUrl'],
      ],
      [{ push: { apnsEndpoint: 'https://localhost:4443' } }, ['push.apnsEndpoint']],
    ];
    for (const [body, paths] of cases) {
      const refused = expectApiProblem(await admin('PATCH', '/api/settings', body), 400, 'VALIDATION_FAILED');
      expect({ body, paths: errorPaths(refused) }).toEqual({ body, paths });
      expect(refused.detail).toContain(HINT);
      expect(refused.errors[0].message).toContain(HINT);
    }
    // Public hosts are fine.
    ok(await admin('PATCH', '/api/settings', { mail: { host: 'smtp.example.com', port: 587 } }));
  });

  it('refuses private sign-in provider URLs when a collection is saved', async () => {
    const options = (providers: unknown[]) => ({
      oauth2: { enabled: true, redirectAllowList: [APP], providers },
    });
    const cases: Array<[unknown[], string[]]> = [
      [
        [{ name: 'oidc', clientId: 'c', issuer: 'http://localhost:8080/realms/x' }],
        ['options.oauth2.providers.0.issuer'],
      ],
      [
        [
          {
            name: 'google',
            clientId: 'c',
            tokenUrl: 'http://10.0.0.5/token',
            userInfoUrl: 'http://127.0.0.1/me',
          },
        ],
        ['options.oauth2.providers.0.tokenUrl', 'options.oauth2.providers.0.userInfoUrl'],
      ],
    ];
    for (const [providers, paths] of cases) {
      const refused = expectApiProblem(
        await admin('PATCH', '/api/collections/users', { options: options(providers) }),
        400,
        'VALIDATION_FAILED',
      );
      expect({ providers, paths: errorPaths(refused) }).toEqual({ providers, paths });
    }
  });

  it('checks again on connect: SMTP, S3, OIDC discovery, FCM and APNs saved while allowed get nothing', async () => {
    // Saved through the server that allows private endpoints (or given by the environment).
    ok(
      await looseAdmin('PATCH', '/api/settings', {
        mail: { host: 'localhost', port: Number(new URL(mailbox.url).port), tls: false, username: '' },
        storage: {
          driver: 's3',
          s3Endpoint: http.url,
          s3Bucket: 'files',
          s3AccessKeyId: 'AKIA',
          s3SecretAccessKey: 'secret',
        },
        push: {
          ...fcmSettings(fcm),
          apnsTeamId: apns.teamId,
          apnsKeyId: apns.keyId,
          apnsPrivateKey: apns.privateKey,
          apnsBundleId: 'dev.plinth.app',
          apnsEndpoint: apns.url,
        },
      }),
    );
    ok(
      await looseAdmin('PATCH', '/api/collections/users', {
        options: {
          oauth2: {
            enabled: true,
            redirectAllowList: [APP],
            providers: [{ name: 'oidc', clientId: 'plinth', clientSecret: 's', issuer: http.url }],
          },
        },
      }),
    );

    const mail = expectApiProblem(
      await admin('POST', '/api/settings/mail/test', { to: 'ops@example.com' }),
      502,
      'MAIL_TEST_FAILED',
    );
    expect(mail.detail).toContain('private address');
    expect(mailbox.mails).toEqual([]);

    const storage = expectApiProblem(
      await admin('POST', '/api/settings/storage/test'),
      502,
      'STORAGE_TEST_FAILED',
    );
    expect(storage.detail).toContain(HINT);

    const started = await strict.fetch(
      `/api/collections/users/auth/oauth2/oidc?redirect=${encodeURIComponent(APP)}`,
      { redirect: 'manual' },
    );
    expect(started.status).toBe(302);
    expect(new URL(started.headers.get('location')!).searchParams.get('error')).toBe(
      'OAUTH2_PROVIDER_FAILED',
    );
    expect(http.hits).toEqual([]);

    const user = await createUser(strict, 'Pat');
    for (const device of [
      { platform: 'fcm', token: 'fcm-token-private-endpoint-0123456789' },
      { platform: 'apns', token: 'ab'.repeat(32) },
    ]) {
      ok(await api(strict, user.token)('POST', '/api/push/devices', device));
    }
    const { id } = ok(
      await admin('POST', '/api/push/send', { targets: { users: [user.id] }, notification: { title: 'x' } }),
      202,
    ).body;
    const message = await eventually(async () => {
      const m = ok(await admin('GET', `/api/push/messages/${id}`)).body;
      return m.counts.pending === 0 ? m : null;
    }, 20_000);
    expect(
      message.deliveries.map((d: { platform: string; status: string }) => [d.platform, d.status]).sort(),
    ).toEqual([
      ['apns', 'failed'],
      ['fcm', 'failed'],
    ]);
    for (const d of message.deliveries) expect(d.error).toContain(HINT);
    expect({ grants: fcm.tokenGrants, fcm: fcm.requests.length, apns: apns.requests.length }).toEqual({
      grants: 0,
      fcm: 0,
      apns: 0,
    });
  });
});
