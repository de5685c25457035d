import { createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SecretBox } from '@plinth/core';
import { SMTPServer } from 'smtp-server';
import { ADMIN_PASSWORD, adminToken, api } from './support/auth.js';
import { Mailbox } from './support/mailbox.js';
import { expectApiProblem } from './support/problem.js';
import { startIsolatedApp, TEST_SECRET } from './support/start-app.js';

type App = Awaited<ReturnType<typeof startIsolatedApp>>;

/** A port nothing listens on (taken, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('mail settings: SMTP edited at run time, "send test mail"', () => {
  let t: App;
  let mailbox: Mailbox;
  let refusing: SMTPServer;
  let refusingPort: number;
  let call: ReturnType<typeof api>;

  beforeAll(async () => {
    mailbox = await Mailbox.start();
    // A real SMTP server that refuses every recipient, as a strict relay would.
    refusing = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onRcptTo: (address, _session, callback) =>
        callback(
          Object.assign(new Error(`Relay access denied for ${address.address}`), { responseCode: 554 }),
        ),
    });
    await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', () => resolve()));
    refusingPort = (refusing.server.address() as AddressInfo).port;
    // The environment's SMTP server (never running) gives the defaults; the settings replace it.
    t = await startIsolatedApp({
      env: {
        SMTP_URL: `smtps://mailer%40acme:s3cret@127.0.0.1:${await closedPort()}`,
        SMTP_FROM: 'Acme <accounts@acme.example>',
        PLINTH_APP_NAME: 'Acme',
        PLINTH_AUTH_RATE_PER_IP: '10000',
      },
    });
    call = api(t, await adminToken(t));
  });
  afterAll(async () => {
    await t?.stop();
    await mailbox?.stop();
    await new Promise((resolve) => refusing?.close(() => resolve(undefined)));
  });

  const useMailbox = async (extra: Record<string, unknown> = {}) => {
    const port = Number(new URL(mailbox.url).port);
    const res = await call('PATCH', '/api/settings', {
      // No credentials at the mailbox: null clears the environment's password (a moved server keeps none).
      mail: {
        host: '127.0.0.1',
        port,
        tls: false,
        username: '',
        password: null,
        from: 'Ops <ops@acme.example>',
        ...extra,
      },
    });
    expect(res.status).toBe(200);
    return res;
  };

  it('shows the section with defaults from SMTP_URL and SMTP_FROM, the password write-only', async () => {
    const res = await call('GET', '/api/settings');
    expect(res.status).toBe(200);
    expect(res.body.mail).toEqual({
      host: '127.0.0.1',
      port: expect.any(Number),
      tls: true,
      username: 'mailer@acme',
      password: '',
      from: 'Acme <accounts@acme.example>',
    });
  });

  it('sends a test mail through the SMTP server saved in the settings, at once', async () => {
    const saved = await useMailbox();
    expect(saved.body.mail).toMatchObject({ host: '127.0.0.1', tls: false, from: 'Ops <ops@acme.example>' });
    const res = await call('POST', '/api/settings/mail/test', { to: 'admin-inbox@example.com' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      ok: true,
      to: 'admin-inbox@example.com',
      server: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
    });
    // Sent before the answer, not queued: it is there already.
    const [mail] = mailbox.to('admin-inbox@example.com');
    expect(mail).toMatchObject({ from: 'Ops <ops@acme.example>', subject: 'Test mail from Acme' });
    expect(mail!.text).toContain('check the SMTP settings');
  });

  it('delivers queued account mails through the new settings too', async () => {
    const email = 'verify-me@example.com';
    const user = await call('POST', '/api/collections/users/records', {
      email,
      password: ADMIN_PASSWORD,
      passwordConfirm: ADMIN_PASSWORD,
    });
    expect(user.status).toBe(200);
    const requested = await api(t)('POST', '/api/collections/users/request-verification', { email });
    expect(requested.status).toBe(204);
    const [mail] = await mailbox.waitFor(email);
    expect(mail).toMatchObject({ from: 'Ops <ops@acme.example>', subject: 'Confirm your email for Acme' });
  });

  it('keeps the password sealed at rest and write-only ("" keeps it)', async () => {
    await useMailbox({ password: 'smtp-password-123' });
    const view = await call('GET', '/api/settings');
    expect(view.body.mail.password).toBe('');
    const { rows } = await t.db.query<{ value: Record<string, unknown> }>(
      `SELECT value FROM plinth.setting WHERE key = 'mail'`,
    );
    expect(JSON.stringify(rows[0]!.value)).not.toContain('smtp-password-123');
    await useMailbox({ password: '' });
    const again = await t.db.query<{ value: Record<string, unknown> }>(
      `SELECT value FROM plinth.setting WHERE key = 'mail'`,
    );
    // Sealed again with a fresh nonce, but the same password inside.
    expect(new SecretBox(TEST_SECRET).open(again.rows[0]!.value.password as string)).toBe(
      'smtp-password-123',
    );
  });

  it('answers 502 MAIL_TEST_FAILED saying why, when nothing listens at the host and port', async () => {
    const port = await closedPort();
    expect((await call('PATCH', '/api/settings', { mail: { port, password: null } })).status).toBe(200);
    const res = await call('POST', '/api/settings/mail/test', { to: 'admin-inbox@example.com' });
    const problem = expectApiProblem(res, 502, 'MAIL_TEST_FAILED');
    expect(problem.detail).toContain(`127.0.0.1:${port}`);
    expect(problem.detail).toMatch(/ECONNREFUSED/);
    expect(problem.detail).toContain('Check the host, port, TLS and credentials');
  });

  it('answers 502 with what the SMTP server said when it refuses the mail', async () => {
    expect(
      (await call('PATCH', '/api/settings', { mail: { port: refusingPort, password: null } })).status,
    ).toBe(200);
    const res = await call('POST', '/api/settings/mail/test', { to: 'someone@elsewhere.example' });
    const problem = expectApiProblem(res, 502, 'MAIL_TEST_FAILED');
    expect(problem.detail).toContain('554');
    expect(problem.detail).toContain('Relay access denied for someone@elsewhere.example');
  });

  it('answers 400 MAIL_NOT_CONFIGURED without a host, and validates bodies and settings', async () => {
    expect((await call('PATCH', '/api/settings', { mail: { host: '', password: null } })).status).toBe(200);
    const none = expectApiProblem(
      await call('POST', '/api/settings/mail/test', { to: 'admin-inbox@example.com' }),
      400,
      'MAIL_NOT_CONFIGURED',
    );
    expect(none.detail).toContain('enter the host');

    const badTo = expectApiProblem(
      await call('POST', '/api/settings/mail/test', { to: 'not an address' }),
      400,
      'VALIDATION_FAILED',
    );
    expect(badTo.errors.map((e: { path: string }) => e.path)).toEqual(['to']);

    const badSettings = expectApiProblem(
      await call('PATCH', '/api/settings', { mail: { port: 70000, from: 'nobody', tls: 'yes' } }),
      400,
      'VALIDATION_FAILED',
    );
    expect(badSettings.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'mail.from',
      'mail.port',
      'mail.tls',
    ]);
    expect((await call('GET', '/api/settings')).body.mail.host).toBe('');
  });

  it('is for admins only', async () => {
    expectApiProblem(
      await api(t)('POST', '/api/settings/mail/test', { to: 'admin-inbox@example.com' }),
      401,
      'UNAUTHORIZED',
    );
  });
});
