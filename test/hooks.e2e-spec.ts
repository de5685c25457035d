import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import PocketBase, { ClientResponseError } from 'pocketbase';
import { Webhook } from 'standardwebhooks';
import { adminToken, api } from './support/auth.js';
import { expectApiProblem } from './support/problem.js';
import { ok } from './support/records.js';
import { startIsolatedApp } from './support/start-app.js';

type App = Awaited<ReturnType<typeof startIsolatedApp>>;
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Call {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  json: Json;
}

/**
 * A local hook endpoint: every request is kept with its path; the answer is what `answers[path]`
 * gives (a JSON value, or a function writing the reply itself).
 */
async function startHookReceiver() {
  const calls: Call[] = [];
  const answers: Record<string, unknown | ((res: ServerResponse) => void)> = {};
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = req.url ?? '/';
      calls.push({ path, headers: req.headers, body, json: JSON.parse(body) });
      const answer = answers[path] ?? { allow: true };
      if (typeof answer === 'function') (answer as (r: ServerResponse) => void)(res);
      else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: (path: string) => `${base}${path}`,
    calls,
    answers,
    to: (path: string) => calls.filter((c) => c.path === path),
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The body as the `standardwebhooks` reference library verifies it (throws on a bad signature). */
const verify = (secret: string, c: Call) =>
  new Webhook(secret).verify(c.body, {
    'webhook-id': String(c.headers['webhook-id']),
    'webhook-timestamp': String(c.headers['webhook-timestamp']),
    'webhook-signature': String(c.headers['webhook-signature']),
  });

const open = { listRule: '', viewRule: '', createRule: '', updateRule: '', deleteRule: '' };

/**
 * Issue 20: blocking hooks. Before a record write (or a sign-up) commits, every matching enabled hook
 * gets the write signed as Standard Webhooks and answers allow, allow with a patch, or refuse; a
 * refusal reaches the unchanged PocketBase SDK as 400 HOOK_REFUSED with the hook's message, and a
 * hook that gives no verdict in time follows its failure policy.
 */
describe('blocking hooks', () => {
  let t: App;
  let admin: ReturnType<typeof api>;
  let receiver: Awaited<ReturnType<typeof startHookReceiver>>;
  let pb: PocketBase;

  /** A hook for the duration of `work`, then deleted (so the next test starts with none). */
  const withHook = async (body: Json, work: (hook: Json) => Promise<void>) => {
    const hook = ok(await admin('POST', '/api/hooks', body)).body;
    try {
      await work(hook);
    } finally {
      ok(await admin('DELETE', `/api/hooks/${hook.id}`), 204);
    }
  };
  const count = async (collection: string, where = 'true') =>
    (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM data."${collection}" WHERE ${where}`))
      .rows[0]!.n;

  beforeAll(async () => {
    t = await startIsolatedApp({ env: { PLINTH_WEBHOOKS_ALLOW_PRIVATE_ENDPOINTS: 'true' } });
    admin = api(t, await adminToken(t));
    receiver = await startHookReceiver();
    pb = new PocketBase(t.url);
    ok(
      await admin('POST', '/api/collections', {
        name: 'orders',
        type: 'base',
        fields: [
          { name: 'item', type: 'text', required: true },
          { name: 'qty', type: 'number', max: 10 },
          { name: 'status', type: 'text' },
        ],
        ...open,
      }),
    );
  }, 60_000);

  afterAll(async () => {
    await receiver?.close();
    await t?.stop();
  });

  describe('the admin API', () => {
    it('creates a hook with its secret shown once, lists, edits, rotates and deletes it', async () => {
      const made = ok(
        await admin('POST', '/api/hooks', { url: receiver.url('/allow'), events: ['orders.create'] }),
      ).body;
      expect(made).toMatchObject({ timeoutMs: 2000, failurePolicy: 'deny', enabled: true, filter: '' });
      expect(made.secret).toMatch(/^whsec_/);
      const listed = ok(await admin('GET', '/api/hooks')).body.items;
      expect(listed).toHaveLength(1);
      expect(listed[0].secret).toBeUndefined();
      const edited = ok(
        await admin('PATCH', `/api/hooks/${made.id}`, {
          timeoutMs: 500,
          failurePolicy: 'allow',
          name: 'stock',
        }),
      ).body;
      expect(edited).toMatchObject({ timeoutMs: 500, failurePolicy: 'allow', name: 'stock' });
      const rotated = ok(await admin('POST', `/api/hooks/${made.id}/rotate-secret`)).body;
      expect(rotated.secret).toMatch(/^whsec_/);
      expect(rotated.secret).not.toBe(made.secret);
      ok(await admin('DELETE', `/api/hooks/${made.id}`), 204);
      expectApiProblem(await admin('GET', `/api/hooks/${made.id}`), 404, 'HOOK_NOT_FOUND');
      expect((await api(t)('GET', '/api/hooks')).status).toBe(401);
    });

    it('refuses unknown collections, sign-ups of base collections, bad filters and timeouts out of bounds', async () => {
      const url = receiver.url('/allow');
      const bad = expectApiProblem(
        await admin('POST', '/api/hooks', { url, events: ['nope.create', 'orders.signup'] }),
        400,
        'VALIDATION_FAILED',
      );
      expect(bad.errors.map((e: Json) => e.path)).toEqual(['events.0', 'events.1']);
      const filter = expectApiProblem(
        await admin('POST', '/api/hooks', { url, events: ['orders.create'], filter: 'nope = 1' }),
        400,
        'VALIDATION_FAILED',
      );
      expect(filter.errors[0].path).toBe('filter');
      expectApiProblem(
        await admin('POST', '/api/hooks', { url, events: ['orders.create'], timeoutMs: 60_000 }),
        400,
        'VALIDATION_FAILED',
      );
      expect(ok(await admin('GET', '/api/hooks')).body.items).toEqual([]);
    });

    it('exports hooks in the schema file without their secrets, and imports them back', async () => {
      const hook = ok(
        await admin('POST', '/api/hooks', {
          name: 'big orders',
          url: receiver.url('/allow'),
          events: ['orders.create', 'orders.update'],
          filter: 'qty > 5',
          timeoutMs: 700,
          failurePolicy: 'allow',
          enabled: false,
        }),
      ).body;
      const file = ok(await admin('GET', '/api/collections/export')).body;
      expect(file.hooks).toEqual([
        {
          id: hook.id,
          name: 'big orders',
          url: receiver.url('/allow'),
          events: ['orders.create', 'orders.update'],
          filter: 'qty > 5',
          timeoutMs: 700,
          failurePolicy: 'allow',
          enabled: false,
        },
      ]);
      expect(JSON.stringify(file)).not.toContain('whsec_');
      ok(await admin('DELETE', `/api/hooks/${hook.id}`), 204);
      const result = ok(await admin('PUT', '/api/collections/import', file)).body;
      expect(result.hooks).toEqual([{ id: hook.id, name: 'big orders', action: 'create' }]);
      const back = ok(await admin('GET', `/api/hooks/${hook.id}`)).body;
      expect(back).toMatchObject(file.hooks[0]);
      ok(await admin('DELETE', `/api/hooks/${hook.id}`), 204);
    });
  });

  describe('at write time', () => {
    it('allows a create after a signed call that the standardwebhooks library verifies', async () => {
      await withHook({ url: receiver.url('/allow'), events: ['orders.create'] }, async (hook) => {
        const rec = ok(await api(t)('POST', '/api/collections/orders/records', { item: 'pen', qty: 1 })).body;
        const [call] = receiver.to('/allow');
        expect(receiver.to('/allow')).toHaveLength(1);
        expect(verify(hook.secret, call!)).toMatchObject({ type: 'orders.create' });
        expect(call!.json).toMatchObject({
          type: 'orders.create',
          data: {
            collection: 'orders',
            record: { id: rec.id, item: 'pen', qty: 1 },
            auth: { kind: 'anonymous' },
          },
        });
        expect(Date.parse(call!.json.timestamp)).not.toBeNaN();
      });
    });

    it('stores what a patch says, and refuses a patch that breaks validation', async () => {
      receiver.answers['/patch'] = { allow: true, patch: { status: 'checked' } };
      receiver.answers['/bad-patch'] = { allow: true, patch: { qty: 99 } };
      await withHook(
        { url: receiver.url('/patch'), events: ['orders.create', 'orders.update'] },
        async () => {
          const rec = ok(
            await api(t)('POST', '/api/collections/orders/records', { item: 'ink', qty: 2 }),
          ).body;
          expect(rec.status).toBe('checked');
          expect(await count('orders', `id = '${rec.id}' AND status = 'checked'`)).toBe(1);
          // An update is judged with the record as it would be stored and the record before it.
          receiver.answers['/patch'] = { allow: true, patch: { status: 'rechecked' } };
          const updated = ok(
            await api(t)('PATCH', `/api/collections/orders/records/${rec.id}`, { qty: 3 }),
          ).body;
          expect(updated).toMatchObject({ qty: 3, status: 'rechecked' });
          const update = receiver.to('/patch').at(-1)!.json;
          expect(update).toMatchObject({
            type: 'orders.update',
            data: { record: { id: rec.id, qty: 3 }, previous: { id: rec.id, qty: 2, status: 'checked' } },
          });
        },
      );
      await withHook({ url: receiver.url('/bad-patch'), events: ['orders.create'] }, async () => {
        const before = await count('orders');
        const res = await api(t)('POST', '/api/collections/orders/records', { item: 'cup', qty: 1 });
        const problem = expectApiProblem(res, 400, 'VALIDATION_FAILED');
        expect(problem.errors[0].path).toBe('qty');
        expect(await count('orders')).toBe(before);
      });
    });

    it("refuses with the hook's message in the PocketBase SDK's error, writing no row and no event", async () => {
      receiver.answers['/refuse'] = {
        allow: false,
        message: 'Only 2 pens left in stock.',
        data: { qty: { code: 'out_of_stock', message: 'Only 2 left' } },
      };
      // A webhook wants the creates: a committed one would leave an event in the outbox.
      const webhook = ok(
        await admin('POST', '/api/webhooks', { url: receiver.url('/webhook'), events: ['orders.create'] }),
      ).body;
      const events = async () =>
        (
          await t.db.query<{ n: string; called: boolean }>(
            'SELECT last_value AS n, is_called AS called FROM plinth.event_outbox_seq_seq',
          )
        ).rows[0]!;
      try {
        await withHook({ url: receiver.url('/refuse'), events: ['orders.create'] }, async () => {
          const before = { rows: await count('orders'), events: await events() };
          let error: unknown;
          await pb
            .collection('orders')
            .create({ item: 'pen', qty: 5 })
            .catch((err: unknown) => (error = err));
          expect(error).toBeInstanceOf(ClientResponseError);
          const e = error as ClientResponseError;
          expect(e.status).toBe(400);
          expect(e.response.message).toBe('Only 2 pens left in stock.');
          expect(e.response.code).toBe('HOOK_REFUSED');
          expect(e.response.data).toEqual({ qty: { code: 'out_of_stock', message: 'Only 2 left' } });
          expect(await count('orders')).toBe(before.rows);
          expect(await events()).toEqual(before.events);
        });
      } finally {
        ok(await admin('DELETE', `/api/webhooks/${webhook.id}`), 204);
      }
    });

    it('refuses a delete when the hook says no, and a sign-up of an auth collection', async () => {
      const rec = ok(await api(t)('POST', '/api/collections/orders/records', { item: 'box', qty: 1 })).body;
      receiver.answers['/no'] = { allow: false, message: 'Orders are never deleted.' };
      await withHook({ url: receiver.url('/no'), events: ['orders.delete', 'users.signup'] }, async () => {
        const res = await api(t)('DELETE', `/api/collections/orders/records/${rec.id}`);
        expect(expectApiProblem(res, 400, 'HOOK_REFUSED').detail).toBe('Orders are never deleted.');
        expect(await count('orders', `id = '${rec.id}'`)).toBe(1);
        expect(receiver.to('/no').at(-1)!.json).toMatchObject({
          type: 'orders.delete',
          data: { record: { id: rec.id, item: 'box' } },
        });
        const signUp = await api(t)('POST', '/api/collections/users/records', {
          email: 'new@example.com',
          password: 'password-123456',
          passwordConfirm: 'password-123456',
        });
        expectApiProblem(signUp, 400, 'HOOK_REFUSED');
        const call = receiver.to('/no').at(-1)!.json;
        expect(call).toMatchObject({ type: 'users.signup', data: { record: { email: 'new@example.com' } } });
        expect(JSON.stringify(call)).not.toContain('password');
        expect(await count('users')).toBe(0);
      });
    });

    it('follows the failure policy when the hook times out or answers garbage', async () => {
      receiver.answers['/slow'] = (res: ServerResponse) => {
        setTimeout(() => res.writeHead(200).end('{"allow": true}'), 1500).unref();
      };
      receiver.answers['/garbage'] = (res: ServerResponse) => res.writeHead(200).end('<html>oops</html>');
      const create = () => api(t)('POST', '/api/collections/orders/records', { item: 'slow', qty: 1 });
      const before = await count('orders', `item = 'slow'`);
      await withHook({ url: receiver.url('/slow'), events: ['orders.create'], timeoutMs: 200 }, async () => {
        const started = Date.now();
        const denied = expectApiProblem(await create(), 400, 'HOOK_REFUSED');
        expect(denied.detail).toContain('gave no verdict');
        expect(Date.now() - started).toBeLessThan(1400);
      });
      await withHook(
        { url: receiver.url('/slow'), events: ['orders.create'], timeoutMs: 200, failurePolicy: 'allow' },
        async () => {
          ok(await create());
        },
      );
      await withHook({ url: receiver.url('/garbage'), events: ['orders.create'] }, async () => {
        expectApiProblem(await create(), 400, 'HOOK_REFUSED');
      });
      expect(await count('orders', `item = 'slow'`)).toBe(before + 1);
    });

    it('does not call a disabled hook, nor one whose filter the record does not match', async () => {
      await withHook({ url: receiver.url('/off'), events: ['orders.create'], enabled: false }, async () => {
        await withHook(
          { url: receiver.url('/big'), events: ['orders.create'], filter: 'qty > 5' },
          async () => {
            ok(await api(t)('POST', '/api/collections/orders/records', { item: 'small', qty: 1 }));
            expect(receiver.to('/big')).toHaveLength(0);
            ok(await api(t)('POST', '/api/collections/orders/records', { item: 'big', qty: 8 }));
            expect(receiver.to('/big')).toHaveLength(1);
            expect(receiver.to('/off')).toHaveLength(0);
          },
        );
      });
    });
  });
});
