import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type ApiAnswer } from '../support/auth.js';
import { expectApiProblem } from '../support/problem.js';
import { startApp, startIsolatedApp, type TestApp } from '../support/start-app.js';

type App = Awaited<ReturnType<typeof startIsolatedApp>>;

const PER_IP = 3;

/**
 * Issue 16 item 10: with PLINTH_TRUST_PROXY=true every X-Forwarded-For hop was trusted, so a client
 * that wrote a new first address on each request was a new client each time and no per-IP limit held.
 * The limit used here is the auth routes' (PLINTH_AUTH_RATE_PER_IP); the test client connects from
 * 127.0.0.1, standing in for the proxy.
 */
describe('PLINTH_TRUST_PROXY', () => {
  let first: App;
  const apps: TestApp[] = [];
  let n = 0;
  const spoofed = () => `192.0.2.${n++ % 250}`;

  const boot = async (trustProxy: string): Promise<TestApp> => {
    const env = { PLINTH_TRUST_PROXY: trustProxy, PLINTH_AUTH_RATE_PER_IP: String(PER_IP) };
    if (!first) {
      first = await startIsolatedApp({ env });
      return first;
    }
    const app = await startApp({ databaseUrl: first.db.url, redisPrefix: first.redisPrefix, env });
    apps.push(app);
    return app;
  };

  afterAll(async () => {
    for (const app of apps) await app.close();
    await first?.stop();
  });

  const signIn = async (t: TestApp, forwardedFor: string): Promise<ApiAnswer> => {
    const res = await t.fetch('/api/collections/users/auth-with-password', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
      // A new account each time, so only the per-IP limit can apply.
      body: JSON.stringify({ identity: `nobody-${n++}@example.com`, password: 'wrong-password' }),
    });
    return { status: res.status, body: await res.json(), headers: res.headers };
  };

  /** PER_IP sign-ins pass (400, wrong password); the next is refused when they all counted for one client. */
  async function expectOneClient(t: TestApp, forwardedFor: () => string) {
    for (let i = 0; i < PER_IP; i++) {
      expectApiProblem(await signIn(t, forwardedFor()), 400, 'INVALID_CREDENTIALS');
    }
    expectApiProblem(await signIn(t, forwardedFor()), 429, 'TOO_MANY_REQUESTS');
  }

  describe('true: the proxy right in front is trusted, nothing before it', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await boot('true');
    });

    it('a spoofed first address does not make a new client', async () => {
      await expectOneClient(t, () => `${spoofed()}, 203.0.113.10`);
    });

    it('the address the proxy adds is the client: different clients have their own limits', async () => {
      await expectOneClient(t, () => '203.0.113.11');
      expectApiProblem(await signIn(t, '203.0.113.12'), 400, 'INVALID_CREDENTIALS');
    });
  });

  describe('a hop count: that many proxies in front are trusted', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await boot('2');
    });

    it('takes the address the first of two proxies saw', async () => {
      await expectOneClient(t, () => `${spoofed()}, 203.0.113.20, 10.0.0.${n++ % 250}`);
      // Another client behind the same two proxies has its own limit.
      expectApiProblem(await signIn(t, `${spoofed()}, 203.0.113.21, 10.0.0.1`), 400, 'INVALID_CREDENTIALS');
    });
  });

  describe('a list of proxy addresses and CIDR ranges', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await boot('127.0.0.1, 10.0.0.0/8');
    });

    it('skips the trusted proxies and stops at the first address that is not one', async () => {
      await expectOneClient(t, () => `${spoofed()}, 203.0.113.30, 10.1.2.${n++ % 250}`);
      expectApiProblem(await signIn(t, `${spoofed()}, 203.0.113.31`), 400, 'INVALID_CREDENTIALS');
    });
  });

  describe('false', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await boot('false');
    });

    it('ignores X-Forwarded-For: every request is the connecting address', async () => {
      await expectOneClient(t, () => `203.0.113.${40 + (n++ % 50)}`);
    });
  });

  it('a value that is neither true, false, a hop count nor addresses stops the boot, naming it', async () => {
    for (const value of ['10.0.0.0/99', '-1', 'somewhere']) {
      await expect(
        startApp({
          databaseUrl: 'postgres://127.0.0.1:1/never-reached',
          redisPrefix: 'never-reached',
          env: { PLINTH_TRUST_PROXY: value },
        }),
      ).rejects.toThrow(/PLINTH_TRUST_PROXY/);
    }
  });
});
