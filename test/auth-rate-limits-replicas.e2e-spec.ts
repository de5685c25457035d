import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { api, type ApiAnswer } from './support/auth.js';
import { expectApiProblem } from './support/problem.js';
import { ok } from './support/records.js';
import { startApp, startIsolatedApp, type TestApp } from './support/start-app.js';

type App = Awaited<ReturnType<typeof startIsolatedApp>>;

const PASSWORD = 'correct-horse-battery';
const MAX_FAILURES = 4;
const PER_IP = 6;
const ENV = {
  PLINTH_AUTH_MAX_FAILURES: String(MAX_FAILURES),
  PLINTH_AUTH_RATE_PER_IP: String(PER_IP),
  // Each request names its client address in X-Forwarded-For, so one test process can be many clients.
  PLINTH_TRUST_PROXY: 'true',
};

/**
 * The counters live in Redis, so the limits hold for the whole replica group: two servers on one
 * database and one Redis prefix, with the attempts split between them.
 */
describe('auth rate limits across two server instances sharing Redis', () => {
  let a: App;
  let b: TestApp;
  let nextIp = 1;
  /** A client address no other request used. */
  const freshIp = () => `198.51.100.${nextIp++}`;

  beforeAll(async () => {
    a = await startIsolatedApp({ env: ENV });
    b = await startApp({ databaseUrl: a.db.url, redisPrefix: a.redisPrefix, env: ENV });
  });
  afterAll(async () => {
    await b?.close();
    await a?.stop();
  });

  const post = async (t: TestApp, ip: string, path: string, body: unknown): Promise<ApiAnswer> => {
    const res = await t.fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
  };
  const signIn = (t: TestApp, ip: string, identity: string, password: string) =>
    post(t, ip, '/api/collections/users/auth-with-password', { identity, password });
  const signUp = async (email: string) =>
    ok(
      await api(a)('POST', '/api/collections/users/records', {
        email,
        password: PASSWORD,
        passwordConfirm: PASSWORD,
      }),
    );

  function expectTooMany(res: ApiAnswer, withinSeconds: number) {
    expectApiProblem(res, 429, 'TOO_MANY_REQUESTS');
    const retryAfter = Number(res.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(withinSeconds);
  }

  it('per account: failures on either server count together, and lock the account on both', async () => {
    await signUp('target@example.com');
    await signUp('neighbour@example.com');
    // Both servers let the right password in to begin with.
    expect((await signIn(a, freshIp(), 'target@example.com', PASSWORD)).status).toBe(200);
    expect((await signIn(b, freshIp(), 'target@example.com', PASSWORD)).status).toBe(200);

    // MAX_FAILURES wrong passwords, alternating servers, each from its own address (so the per-IP
    // limit never applies): neither server alone sees more than half of them.
    for (let i = 0; i < MAX_FAILURES; i++) {
      const res = await signIn(i % 2 ? b : a, freshIp(), 'Target@example.com', 'wrong-password');
      expectApiProblem(res, 400, 'INVALID_CREDENTIALS');
    }
    // Now even the right password is refused, on both servers and from new addresses.
    expectTooMany(await signIn(a, freshIp(), 'target@example.com', PASSWORD), 300);
    expectTooMany(await signIn(b, freshIp(), 'target@example.com', PASSWORD), 300);
    // Another account is not affected.
    expect((await signIn(b, freshIp(), 'neighbour@example.com', PASSWORD)).status).toBe(200);
    expect((await signIn(a, freshIp(), 'neighbour@example.com', PASSWORD)).status).toBe(200);
  });

  it('per IP: auth requests to either server count together, and the address gets 429 on both', async () => {
    await signUp('busy@example.com');
    const ip = '203.0.113.77';
    // PER_IP requests alternating servers, a different account each time (no account limit applies).
    for (let i = 0; i < PER_IP; i++) {
      const res = await signIn(i % 2 ? b : a, ip, `nobody-${i}@example.com`, 'wrong-password');
      expectApiProblem(res, 400, 'INVALID_CREDENTIALS');
    }
    // One more, on either server and on any auth route, is refused; even with the right password.
    expectTooMany(await signIn(a, ip, 'busy@example.com', PASSWORD), 60);
    expectTooMany(await signIn(b, ip, 'busy@example.com', PASSWORD), 60);
    expectTooMany(await post(b, ip, '/api/collections/users/auth-refresh', { refreshToken: 'x' }), 60);
    // Admins' routes count too, PocketBase's `_superusers` ones included.
    expectTooMany(await post(a, ip, '/api/admins/auth-refresh', {}), 60);
    expectTooMany(await post(b, ip, '/api/collections/_superusers/auth-refresh', {}), 60);
    expectTooMany(
      await post(a, ip, '/api/collections/_superusers/auth-with-password', {
        identity: 'admin@example.com',
        password: PASSWORD,
      }),
      60,
    );
    // Another address still gets in through either server.
    expect((await signIn(a, freshIp(), 'busy@example.com', PASSWORD)).status).toBe(200);
    expect((await signIn(b, freshIp(), 'busy@example.com', PASSWORD)).status).toBe(200);
  });
});
