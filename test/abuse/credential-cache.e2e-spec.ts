import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApiKeysService } from '@plinth/auth';
import { randomBytes } from 'node:crypto';
import { adminToken, type ApiAnswer } from '../support/auth.js';
import { expectApiProblem } from '../support/problem.js';
import { createCollection, createKey, createUser } from '../support/records.js';
import { startApp, startIsolatedApp, type TestApp } from '../support/start-app.js';

type App = Awaited<ReturnType<typeof startIsolatedApp>>;

const PER_IP = 5;
const ENV = {
  PLINTH_BAD_CREDENTIALS_PER_IP: String(PER_IP),
  // Each request names its client address in X-Forwarded-For, so one test process can be many clients.
  PLINTH_TRUST_PROXY: 'true',
};

const randomKey = () => `plk_${randomBytes(32).toString('base64url')}`;

/**
 * Issue 16 item 8: requests with made-up API keys grew a per-replica cache without bound, and nothing
 * slowed down a client trying credential after credential.
 */
describe('failed credentials', () => {
  let a: App;
  let b: TestApp;
  let admin: string;
  let goodKey: string;
  let userToken: string;
  let nextIp = 1;
  /** A client address no other request used. */
  const freshIp = () => `198.51.100.${nextIp++}`;

  beforeAll(async () => {
    a = await startIsolatedApp({ env: ENV });
    b = await startApp({ databaseUrl: a.db.url, redisPrefix: a.redisPrefix, env: ENV });
    admin = await adminToken(a);
    await createCollection(a, admin, {
      name: 'notes',
      fields: [{ name: 'text', type: 'text' }],
      listRule: '',
      viewRule: '',
    });
    goodKey = await createKey(a, admin, ['notes:read']);
    userToken = (await createUser(a, 'Uma')).token;
  });
  afterAll(async () => {
    await b?.close();
    await a?.stop();
  });

  const list = async (t: TestApp, ip: string, credential?: string): Promise<ApiAnswer> => {
    const res = await t.fetch('/api/collections/notes/records', {
      headers: {
        'x-forwarded-for': ip,
        ...(credential ? { authorization: `Bearer ${credential}` } : {}),
      },
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
  };

  function expectTooMany(res: ApiAnswer) {
    expectApiProblem(res, 429, 'TOO_MANY_REQUESTS');
    const retryAfter = Number(res.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
  }

  it('made-up API keys from many addresses leave the key cache bounded', async () => {
    const keys = a.app.get(ApiKeysService);
    const requests = 1200;
    let next = 0;
    // 20 clients at a time, each from its own address, so no per-IP limit applies.
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        while (next < requests) {
          const i = next++;
          const res = await list(a, `10.${(i >> 8) & 255}.${i & 255}.7`, randomKey());
          expectApiProblem(res, 401, 'INVALID_TOKEN');
        }
      }),
    );
    // Only the admin's key was ever valid here; every made-up one past the cap was dropped.
    expect(keys.unknownKeysCap).toBeLessThan(requests);
    expect(keys.cachedLookups()).toBeLessThanOrEqual(keys.unknownKeysCap + 1);
    // The real key still works.
    expect((await list(a, freshIp(), goodKey)).status).toBe(200);
  }, 120_000);

  it('after too many failed API keys, an address gets 429 for any credential, not for none', async () => {
    const ip = freshIp();
    for (let i = 0; i < PER_IP; i++) expectApiProblem(await list(a, ip, randomKey()), 401, 'INVALID_TOKEN');
    expectTooMany(await list(a, ip, randomKey()));
    // Even a valid key is refused from there for now...
    expectTooMany(await list(a, ip, goodKey));
    // ...but the address may still make requests without credentials,
    expect((await list(a, ip)).status).toBe(200);
    // and other addresses are not affected.
    expect((await list(a, freshIp(), goodKey)).status).toBe(200);
    expect((await list(a, freshIp(), randomKey())).status).toBe(401);
  });

  it('forged or garbled tokens count as failures too', async () => {
    const ip = freshIp();
    const [head, payload, signature] = userToken.split('.');
    const forged = `${head}.${payload}.${signature!.slice(0, -4)}AAAA`;
    for (let i = 0; i < PER_IP; i++) {
      const credential = i % 2 ? forged : 'not-a-token-at-all';
      expectApiProblem(await list(a, ip, credential), 401, 'INVALID_TOKEN');
    }
    expectTooMany(await list(a, ip, forged));
    expectTooMany(await list(a, ip, userToken));
    // The same token from another address works.
    expect((await list(a, freshIp(), userToken)).status).toBe(200);
  });

  it('failures on either server count together', async () => {
    const ip = freshIp();
    for (let i = 0; i < PER_IP; i++) {
      expectApiProblem(await list(i % 2 ? b : a, ip, randomKey()), 401, 'INVALID_TOKEN');
    }
    expectTooMany(await list(b, ip, randomKey()));
    expectTooMany(await list(a, ip, randomKey()));
  });
});
