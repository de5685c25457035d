import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AccountMailService } from '@plinth/auth';
import { CollectionsRegistry } from '@plinth/collections';
import { JobsService } from '@plinth/jobs';
import { eventually, freePort } from '@plinth/testing';
import { adminToken, api, signIn as signInAs, signUp as signUpAs } from './support/auth.js';
import { linkToken } from './support/account-links.js';
import { Mailbox } from './support/mailbox.js';
import { errorPaths, expectApiProblem } from './support/problem.js';
import { startIsolatedApp } from './support/start-app.js';

type App = Awaited<ReturnType<typeof startIsolatedApp>>;

const PASSWORD = 'first-password-123';
const PUBLIC_URL = 'https://app.example';

let counter = 0;
const address = (name: string) => `${name}-${++counter}-${Date.now().toString(36)}@example.com`;

/** Signs up an app user in `users` over HTTP; returns its id and email. */
const signUp = (t: App, name: string) => signUpAs(t, address(name), PASSWORD);
const signIn = (t: App, identity: string, password = PASSWORD) => signInAs(t, identity, password);

const post = (t: App, route: string, body: unknown, token?: string) =>
  api(t, token)('POST', `/api/collections/users/${route}`, body);

/** Waits until every requested mail is enqueued and the mail queue has run dry. */
async function settle(t: App): Promise<void> {
  await t.app.get(AccountMailService).idle();
  const queue = t.app.get(JobsService).queue('mail');
  await eventually(async () => {
    const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
    return Object.values(counts).every((n) => n === 0);
  });
}

describe('account mails through a local SMTP server', () => {
  let t: App;
  let mailbox: Mailbox;

  beforeAll(async () => {
    mailbox = await Mailbox.start();
    t = await startIsolatedApp({
      env: {
        SMTP_URL: mailbox.url,
        SMTP_FROM: 'Acme <accounts@acme.example>',
        PLINTH_APP_NAME: 'Acme',
        PUBLIC_URL,
        PLINTH_AUTH_RATE_PER_IP: '10000',
      },
    });
  });
  afterAll(async () => {
    await t?.stop();
    await mailbox?.stop();
  });

  it('verification: mails a link that verifies the account, once', async () => {
    const user = await signUp(t, 'verify');
    const requested = await post(t, 'request-verification', { email: user.email });
    expect(requested.status).toBe(204);
    expect(requested.body).toBeNull();

    const [mail] = await mailbox.waitFor(user.email);
    expect(mail!.from).toBe('Acme <accounts@acme.example>');
    expect(mail!.subject).toBe('Confirm your email for Acme');
    expect(mail!.text).toContain(`${PUBLIC_URL}/_/account/confirm-verification?collection=users#token=`);
    expect(mail!.text).toContain('If this was not you, ignore this mail');
    const token = linkToken(mail!, 'confirm-verification');
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);

    // Stored hashed, for this collection and this record.
    const usersId = t.app.get(CollectionsRegistry).get('users').def.id;
    const { rows } = await t.db.query<{ purpose: string; token_hash: string; subject: string }>(
      `SELECT purpose, token_hash, subject FROM plinth.one_time_token WHERE subject = $1`,
      [user.id],
    );
    expect(rows).toEqual([
      {
        purpose: `verify:${usersId}`,
        token_hash: createHash('sha256').update(token).digest('hex'),
        subject: user.id,
      },
    ]);

    expect((await signIn(t, user.email)).body.record.verified).toBe(false);
    expect((await post(t, 'confirm-verification', { token })).status).toBe(204);
    const after = await signIn(t, user.email);
    expect(after.body.record.verified).toBe(true);
    const own = await api(t, after.body.token)('GET', `/api/collections/users/records/${user.id}`);
    expect(own.body.verified).toBe(true);

    expectApiProblem(await post(t, 'confirm-verification', { token }), 400, 'VERIFICATION_TOKEN_INVALID');

    // Verified already: answered the same, but no second mail.
    expect((await post(t, 'request-verification', { email: user.email })).status).toBe(204);
    await settle(t);
    expect(mailbox.to(user.email)).toHaveLength(1);
  });

  it('password reset: the new password works, the old one and every old session do not', async () => {
    const user = await signUp(t, 'reset');
    const session = (await signIn(t, user.email)).body;

    expect((await post(t, 'request-password-reset', { email: user.email })).status).toBe(204);
    const [mail] = await mailbox.waitFor(user.email);
    expect(mail!.subject).toBe('Reset your Acme password');
    expect(mail!.text).toContain(`${PUBLIC_URL}/_/account/confirm-password-reset?collection=users#token=`);
    expect(mail!.text).toContain('If this was not you, ignore this mail');
    const token = linkToken(mail!, 'confirm-password-reset');

    // Bad bodies are refused before the token is looked at, so it still works afterwards.
    const mismatch = await post(t, 'confirm-password-reset', {
      token,
      password: 'new-password-456',
      passwordConfirm: 'new-password-457',
    });
    expect(errorPaths(expectApiProblem(mismatch, 400, 'VALIDATION_FAILED'))).toEqual(['passwordConfirm']);
    const short = await post(t, 'confirm-password-reset', {
      token,
      password: 'short',
      passwordConfirm: 'short',
    });
    expect(errorPaths(expectApiProblem(short, 400, 'VALIDATION_FAILED'))).toEqual(['password']);

    const confirmed = await post(t, 'confirm-password-reset', {
      token,
      password: 'new-password-456',
      passwordConfirm: 'new-password-456',
    });
    expect(confirmed.status).toBe(204);

    expectApiProblem(await signIn(t, user.email), 400, 'INVALID_CREDENTIALS');
    const fresh = await signIn(t, user.email, 'new-password-456');
    expect(fresh.status).toBe(200);
    // Reading the mail proved the address.
    expect(fresh.body.record.verified).toBe(true);
    expectApiProblem(
      await post(t, 'auth-refresh', { refreshToken: session.refreshToken }),
      401,
      'INVALID_REFRESH_TOKEN',
    );
    expectApiProblem(
      await post(t, 'confirm-password-reset', {
        token,
        password: 'third-password-789',
        passwordConfirm: 'third-password-789',
      }),
      400,
      'PASSWORD_RESET_TOKEN_INVALID',
    );
  });

  it('password reset: other links mailed before a reset stop working with it', async () => {
    const user = await signUp(t, 'twice');
    await post(t, 'request-password-reset', { email: user.email });
    await post(t, 'request-password-reset', { email: user.email });
    const [first, second] = await mailbox.waitFor(user.email, 2);
    const reset = (token: string, password: string) =>
      post(t, 'confirm-password-reset', { token, password, passwordConfirm: password });

    expect((await reset(linkToken(first!, 'confirm-password-reset'), 'one-new-password')).status).toBe(204);
    expectApiProblem(
      await reset(linkToken(second!, 'confirm-password-reset'), 'another-new-password'),
      400,
      'PASSWORD_RESET_TOKEN_INVALID',
    );
    expect((await signIn(t, user.email, 'one-new-password')).status).toBe(200);
  });

  it('email change: only a signed-in user of the collection may ask, with a new valid address', async () => {
    const user = await signUp(t, 'asker');
    const token = (await signIn(t, user.email)).body.token;
    const newEmail = address('wanted');

    const anonymous = await post(t, 'request-email-change', { newEmail });
    expectApiProblem(anonymous, 401, 'UNAUTHORIZED');
    const admin = await adminToken(t);
    expectApiProblem(await post(t, 'request-email-change', { newEmail }, admin), 403, 'FORBIDDEN');

    const bad = await post(t, 'request-email-change', { newEmail: 'not-an-email', extra: 1 }, token);
    expect(errorPaths(expectApiProblem(bad, 400, 'VALIDATION_FAILED'))).toEqual(['extra', 'newEmail']);
    const same = await post(t, 'request-email-change', { newEmail: user.email.toUpperCase() }, token);
    expect(errorPaths(expectApiProblem(same, 400, 'VALIDATION_FAILED'))).toEqual(['newEmail']);

    await settle(t);
    expect(mailbox.to(newEmail)).toHaveLength(0);
  });

  it('email change: the new address gets the link; the right password confirms it', async () => {
    const user = await signUp(t, 'mover');
    const session = (await signIn(t, user.email)).body;
    const newEmail = address('moved');

    expect((await post(t, 'request-email-change', { newEmail }, session.token)).status).toBe(204);
    const [mail] = await mailbox.waitFor(newEmail);
    expect(mail!.subject).toBe('Confirm your new email for Acme');
    expect(mail!.text).toContain(`${PUBLIC_URL}/_/account/confirm-email-change?collection=users#token=`);
    expect(mail!.text).toContain(newEmail);
    expect(mail!.text).toContain('If this was not you, ignore this mail');

    // A wrong password is refused and uses the link up; the email stays.
    const wrong = await post(t, 'confirm-email-change', {
      token: linkToken(mail!, 'confirm-email-change'),
      password: 'not-the-password',
    });
    expect(errorPaths(expectApiProblem(wrong, 400, 'VALIDATION_FAILED'))).toEqual(['password']);
    expect((await signIn(t, user.email)).status).toBe(200);
    expectApiProblem(
      await post(t, 'confirm-email-change', {
        token: linkToken(mail!, 'confirm-email-change'),
        password: PASSWORD,
      }),
      400,
      'EMAIL_CHANGE_TOKEN_INVALID',
    );

    expect((await post(t, 'request-email-change', { newEmail }, session.token)).status).toBe(204);
    const [, again] = await mailbox.waitFor(newEmail, 2);
    const confirmed = await post(t, 'confirm-email-change', {
      token: linkToken(again!, 'confirm-email-change'),
      password: PASSWORD,
    });
    expect(confirmed.status).toBe(204);

    const moved = await signIn(t, newEmail);
    expect(moved.status).toBe(200);
    expect(moved.body.record).toMatchObject({ id: user.id, email: newEmail, verified: true });
    expectApiProblem(await signIn(t, user.email), 400, 'INVALID_CREDENTIALS');
    expectApiProblem(
      await post(t, 'auth-refresh', { refreshToken: session.refreshToken }),
      401,
      'INVALID_REFRESH_TOKEN',
    );
    // The old address got nothing.
    expect(mailbox.to(user.email)).toHaveLength(0);
  });

  it('email change: refused when another account took the address meanwhile', async () => {
    const user = await signUp(t, 'slow');
    const token = (await signIn(t, user.email)).body.token;
    const newEmail = address('contested');
    expect((await post(t, 'request-email-change', { newEmail }, token)).status).toBe(204);
    const [mail] = await mailbox.waitFor(newEmail);

    const taken = await api(t)('POST', '/api/collections/users/records', {
      email: newEmail,
      password: PASSWORD,
      passwordConfirm: PASSWORD,
    });
    expect(taken.status).toBe(200);
    expectApiProblem(
      await post(t, 'confirm-email-change', {
        token: linkToken(mail!, 'confirm-email-change'),
        password: PASSWORD,
      }),
      400,
      'EMAIL_TAKEN',
    );
    expect((await signIn(t, user.email)).body.record.email).toBe(user.email);
  });

  it('answers unknown and taken addresses exactly like known ones, and mails nothing to them', async () => {
    const known = await signUp(t, 'known');
    const other = await signUp(t, 'other');
    const unknown = address('nobody');
    const strip = (r: { status: number; body: unknown; headers: Headers }) => ({
      status: r.status,
      body: r.body,
      length: r.headers.get('content-length'),
      type: r.headers.get('content-type'),
    });
    for (const route of ['request-verification', 'request-password-reset']) {
      const forKnown = await post(t, route, { email: known.email });
      const forUnknown = await post(t, route, { email: unknown });
      expect(strip(forUnknown)).toEqual(strip(forKnown));
      expect(forKnown.status).toBe(204);
    }
    // Asking for an address another account has: the same 204, and no mail to that account.
    const token = (await signIn(t, known.email)).body.token;
    const toTaken = await post(t, 'request-email-change', { newEmail: other.email }, token);
    expect(toTaken.status).toBe(204);

    await settle(t);
    expect(mailbox.to(unknown)).toHaveLength(0);
    expect(mailbox.to(other.email)).toHaveLength(0);
    expect(mailbox.to(known.email).map((m) => m.subject)).toEqual([
      'Confirm your email for Acme',
      'Reset your Acme password',
    ]);
  });

  it('mails one address at most 3 times in 10 minutes, answering 204 all the same', async () => {
    const user = await signUp(t, 'flooded');
    for (let i = 0; i < 5; i++) {
      expect((await post(t, 'request-password-reset', { email: user.email })).status).toBe(204);
    }
    await settle(t);
    expect(mailbox.to(user.email)).toHaveLength(3);
  });

  it('refuses bad bodies with 400 and the failing paths', async () => {
    const cases: Array<[string, unknown, string[]]> = [
      ['request-verification', {}, ['email']],
      ['request-verification', { email: 'nope' }, ['email']],
      ['request-password-reset', { email: 'a@example.com', extra: true }, ['extra']],
      ['request-password-reset', { email: 5 }, ['email']],
      ['confirm-verification', {}, ['token']],
      ['confirm-verification', { token: '' }, ['token']],
      ['confirm-password-reset', { token: 'x', password: 'short' }, ['password', 'passwordConfirm']],
      ['confirm-email-change', { token: 5 }, ['password', 'token']],
    ];
    for (const [route, body, paths] of cases) {
      const res = await post(t, route, body);
      expect({ route, body, paths: errorPaths(expectApiProblem(res, 400, 'VALIDATION_FAILED')) }).toEqual({
        route,
        body,
        paths,
      });
    }
  });

  it('works on auth collections only, and a link works only on its own collection', async () => {
    const admin = await adminToken(t);
    await api(t, admin)('POST', '/api/collections', {
      name: 'notes',
      fields: [{ name: 'text', type: 'text' }],
    });
    const members = await api(t, admin)('POST', '/api/collections', {
      name: 'members',
      type: 'auth',
      fields: [],
    });
    expect(members.status).toBe(200);

    expectApiProblem(
      await api(t)('POST', '/api/collections/notes/request-verification', { email: 'a@example.com' }),
      400,
      'NOT_AUTH_COLLECTION',
    );
    expectApiProblem(
      await api(t)('POST', '/api/collections/nothing-here/request-password-reset', {
        email: 'a@example.com',
      }),
      404,
      'COLLECTION_NOT_FOUND',
    );

    const user = await signUp(t, 'scoped');
    await post(t, 'request-verification', { email: user.email });
    const [mail] = await mailbox.waitFor(user.email);
    const token = linkToken(mail!, 'confirm-verification');
    expectApiProblem(
      await api(t)('POST', '/api/collections/members/confirm-verification', { token }),
      400,
      'VERIFICATION_TOKEN_INVALID',
    );
    // Trying it on the wrong collection did not use it up.
    expect((await post(t, 'confirm-verification', { token })).status).toBe(204);
  });

  it("links to the app's own pages when the collection sets mailLinks", async () => {
    const admin = await adminToken(t);
    const create = (name: string, mailLinks: unknown) =>
      api(t, admin)('POST', '/api/collections', {
        name,
        type: 'auth',
        fields: [],
        createRule: '',
        mailLinks,
      });

    const bad = await create('shops', {
      verification: 'https://shop.example/verify',
      passwordReset: 'javascript:alert({TOKEN})',
      emailChange: 42,
      other: 'https://shop.example/{TOKEN}',
    });
    expect(errorPaths(expectApiProblem(bad, 400, 'VALIDATION_FAILED')).sort()).toEqual([
      'mailLinks.emailChange',
      'mailLinks.other',
      'mailLinks.passwordReset',
      'mailLinks.verification',
    ]);

    const made = await create('shoppers', {
      verification: 'https://shop.example/verify?c={COLLECTION}&token={TOKEN}',
      passwordReset: 'https://shop.example/reset/{TOKEN}',
      emailChange: null,
    });
    expect(made.status).toBe(200);
    expect(made.body.mailLinks.passwordReset).toBe('https://shop.example/reset/{TOKEN}');

    const email = address('shopper');
    const signedUp = await api(t)('POST', '/api/collections/shoppers/records', {
      email,
      password: PASSWORD,
      passwordConfirm: PASSWORD,
    });
    expect(signedUp.status).toBe(200);
    const shoppers = (route: string, body: unknown, token?: string) =>
      api(t, token)('POST', `/api/collections/shoppers/${route}`, body);
    await shoppers('request-verification', { email });
    const [verify] = await mailbox.waitFor(email);
    const verifyToken = verify!.text.match(
      /^https:\/\/shop\.example\/verify\?c=shoppers&token=([\w-]{43})$/m,
    )?.[1];
    expect(verifyToken).toBeDefined();
    expect((await shoppers('confirm-verification', { token: verifyToken })).status).toBe(204);

    await shoppers('request-password-reset', { email });
    const [, reset] = await mailbox.waitFor(email, 2);
    expect(reset!.text).toMatch(/^https:\/\/shop\.example\/reset\/[\w-]{43}$/m);

    // Null keeps Plinth's own page for that mail.
    const session = (await shoppers('auth-with-password', { identity: email, password: PASSWORD })).body;
    const newEmail = address('shopper-moved');
    await shoppers('request-email-change', { newEmail }, session.token);
    const [change] = await mailbox.waitFor(newEmail);
    expect(change!.text).toContain(`${PUBLIC_URL}/_/account/confirm-email-change?collection=shoppers#token=`);
  });
});

describe('mail.send while the SMTP server is down', () => {
  let t: App;
  let port: number;
  let mailbox: Mailbox | undefined;

  beforeAll(async () => {
    port = await freePort();
    t = await startIsolatedApp({ env: { SMTP_URL: `smtp://127.0.0.1:${port}` } });
  });
  afterAll(async () => {
    await t?.stop();
    await mailbox?.stop();
  });

  it('fails, is retried with backoff without harming the app, and delivers once the server is back', async () => {
    const user = await signUp(t, 'patient');
    expect((await post(t, 'request-verification', { email: user.email })).status).toBe(204);

    const queue = t.app.get(JobsService).queue('mail');
    const job = await eventually(async () => {
      const [delayed] = await queue.getJobs(['delayed']);
      return delayed && delayed.attemptsMade >= 1 ? delayed : null;
    }).then((j) => j!);
    expect(job.name).toBe('mail.send');
    expect(job.data.to).toBe(user.email);
    expect(job.opts.attempts).toBe(5);
    expect(job.opts.backoff).toEqual({ type: 'exponential', delay: 5000 });
    expect(job.failedReason).toMatch(/ECONNREFUSED|connect/i);
    expect(await queue.getFailedCount()).toBe(0);

    // The app keeps serving meanwhile.
    expect((await t.fetch('/api/health')).status).toBe(200);
    expect((await signIn(t, user.email)).status).toBe(200);

    // The server comes back on the same port; the next attempt delivers.
    mailbox = await Mailbox.start(port);
    const [mail] = await mailbox.waitFor(user.email, 1, 20_000);
    expect(mail!.subject).toBe('Confirm your email for Plinth');
    expect(
      (await post(t, 'confirm-verification', { token: linkToken(mail!, 'confirm-verification') })).status,
    ).toBe(204);
    // Sent mails leave Redis (they carry live links).
    await eventually(async () => (await queue.getJob(job.id!)) === undefined);
  }, 40_000);
});

describe('without SMTP_URL', () => {
  let t: App;

  beforeAll(async () => {
    t = await startIsolatedApp({ env: { PLINTH_AUTH_RATE_PER_IP: '5' } });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('answers 204 and completes the mail job by logging the link instead of sending', async () => {
    const user = await signUp(t, 'offline');
    expect((await post(t, 'request-password-reset', { email: user.email })).status).toBe(204);
    await settle(t);
    const queue = t.app.get(JobsService).queue('mail');
    expect(await queue.getFailedCount()).toBe(0);
    // The token exists, so the link that went to the log works.
    const { rows } = await t.db.query(`SELECT 1 FROM plinth.one_time_token WHERE subject = $1`, [user.id]);
    expect(rows).toHaveLength(1);
  });

  it('counts the request routes toward the per-IP auth limit (429 with Retry-After)', async () => {
    const answers = [];
    for (let i = 0; i < 6; i++) {
      answers.push(await post(t, 'request-verification', { email: address('ip') }));
    }
    const statuses = answers.map((a) => a.status);
    expect(statuses).toContain(204);
    const limited = answers.find((a) => a.status === 429);
    expect(limited).toBeDefined();
    expectApiProblem(limited!, 429, 'TOO_MANY_REQUESTS');
    expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
