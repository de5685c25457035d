import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createRedisPrefix, createTestDatabase, eventually, type TestDatabase } from '@plinth/testing';
import { adminToken, api } from './support/auth.js';
import { Mailbox } from './support/mailbox.js';
import { apnsSettings, startApns, type ApnsStub } from './support/push-providers.js';
import { createUser, ok } from './support/records.js';
import { startApp, type TestApp } from './support/start-app.js';
import { makeTestCertificates, type TestCertificates } from './support/tls.js';
import { startWorker, type TestWorker } from './support/worker.js';

const SMTP_USER = 'mailer@acme.example';
const SMTP_PASS = 's3cret pass';

/**
 * Mail and APNs pushes leave over TLS to servers with a certificate of a test CA, which the worker
 * trusts through NODE_EXTRA_CA_CERTS (Node's own option): verification stays on, as in production.
 */
describe('delivery over TLS: SMTP with AUTH (STARTTLS and smtps), APNs over HTTP/2 with TLS', () => {
  let certs: TestCertificates;
  let db: TestDatabase;
  const redis = createRedisPrefix();
  let app: TestApp;
  let admin: string;
  let starttls: Mailbox;
  let smtps: Mailbox;
  let apns: ApnsStub;
  let worker: TestWorker | undefined;

  async function mailSettings(box: Mailbox, extra: Record<string, unknown> = {}) {
    const mail = {
      host: '127.0.0.1',
      port: box.port,
      tls: box.url.startsWith('smtps:'),
      username: SMTP_USER,
      password: SMTP_PASS,
      ...extra,
    };
    ok(await api(app, admin)('PATCH', '/api/settings', { mail }));
  }
  /** A new user asks for a verification mail (one per address: mails per address are limited). */
  async function requestVerification(name: string): Promise<string> {
    const user = await createUser(app, name);
    const res = await api(app)('POST', '/api/collections/users/request-verification', { email: user.email });
    expect(res.status).toBe(204);
    return user.email;
  }

  beforeAll(async () => {
    certs = makeTestCertificates();
    const tls = { key: certs.key, cert: certs.cert };
    const auth = { user: SMTP_USER, pass: SMTP_PASS };
    [starttls, smtps, apns] = await Promise.all([
      Mailbox.start(0, { tls, auth }),
      Mailbox.start(0, { tls, auth, secure: true }),
      startApns({ tls }),
    ]);
    db = await createTestDatabase();
    app = await startApp({ databaseUrl: db.url, redisPrefix: redis.prefix, env: { PLINTH_WORKERS: 'off' } });
    admin = await adminToken(app);
    worker = await startWorker({
      databaseUrl: db.url,
      redisPrefix: redis.prefix,
      env: { NODE_EXTRA_CA_CERTS: certs.caFile },
    });
  });

  afterAll(async () => {
    await worker?.stop();
    await app?.close();
    await Promise.all([starttls?.stop(), smtps?.stop(), apns?.close()]);
    await db?.drop();
    await redis.cleanup();
    certs?.remove();
  });

  it('sends account mail after STARTTLS, authenticated, never in the clear', async () => {
    await mailSettings(starttls);
    const email = await requestVerification('Starttls');
    const [mail] = await starttls.waitFor(email, 1, 30_000);
    expect(mail).toMatchObject({ secure: true, user: SMTP_USER, to: [email] });
    expect(mail!.text).toContain('/_/account/confirm-verification?collection=users#token=');
  });

  it('sends account mail over smtps (TLS from the first byte), authenticated', async () => {
    await mailSettings(smtps);
    const email = await requestVerification('Smtps');
    const [mail] = await smtps.waitFor(email, 1, 30_000);
    expect(mail).toMatchObject({ secure: true, user: SMTP_USER, to: [email] });
  });

  it('sends nothing when the server refuses the credentials', async () => {
    await mailSettings(starttls, { password: 'not the password' });
    const before = starttls.authFailures;
    const email = await requestVerification('Wrongpass');
    await eventually(() => starttls.authFailures > before, 30_000);
    expect(starttls.to(email)).toEqual([]);
  });

  it('pushes to APNs over HTTP/2 with TLS', async () => {
    ok(await api(app, admin)('PATCH', '/api/settings', { push: apnsSettings(apns) }));
    expect(apns.url).toMatch(/^https:/);
    const user = await createUser(app, 'Apple');
    const token = 'ab'.repeat(32);
    const device = ok(
      await api(app, user.token)('POST', '/api/push/devices', { platform: 'apns', token }),
    ).body;
    const sent = ok(
      await api(app, admin)('POST', '/api/push/send', {
        targets: { devices: [device.id] },
        notification: { title: 'Over TLS' },
      }),
      202,
    ).body;
    const message = await eventually(async () => {
      const m = ok(await api(app, admin)('GET', `/api/push/messages/${sent.id}`)).body;
      return m.counts.pending === 0 ? m : null;
    }, 30_000);
    expect(message.deliveries[0]).toMatchObject({ status: 'sent', attempts: 1 });
    expect(apns.requests.map((r) => r.token)).toEqual([token]);
  });

  it('refuses a server whose certificate it does not trust (verification is on)', async () => {
    await worker!.stop();
    // The same worker without the test CA: the certificate is one no public CA signed.
    worker = await startWorker({ databaseUrl: db.url, redisPrefix: redis.prefix });
    await mailSettings(smtps);
    const email = await requestVerification('Untrusted');
    const w = worker;
    await eventually(
      () => /Job mail\.send .* failed .*unable to verify the first certificate/.test(w.output()),
      30_000,
    );
    expect(smtps.to(email)).toEqual([]);
  });
});
