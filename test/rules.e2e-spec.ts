import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { adminToken, api, userToken, type ApiAnswer } from './support/auth.js';
import { expectApiProblem } from './support/problem.js';
import {
  createCollection,
  createKey,
  createRecord,
  createUser,
  ids,
  listRecords,
  ok,
  type TestUser,
} from './support/records.js';
import { startIsolatedApp } from './support/start-app.js';

type Caller =
  'anonymous' | 'other user' | 'owner' | 'read key' | 'write key' | 'unscoped key' | 'admin' | 'admin key';
const CALLERS: Caller[] = [
  'anonymous',
  'other user',
  'owner',
  'read key',
  'write key',
  'unscoped key',
  'admin',
  'admin key',
];
/** Who may see hidden fields (DESIGN §10: admins and admin-scoped keys only). */
const SEES_HIDDEN = new Set<Caller>(['admin', 'admin key']);

describe('access rules, keys and hidden fields', () => {
  let t: Awaited<ReturnType<typeof startIsolatedApp>>;
  let admin: string;
  let alice: TestUser;
  let bob: TestUser;
  const tokens = {} as Record<Caller, string | undefined>;
  const call = (who: Caller) => api(t, tokens[who]);

  beforeAll(async () => {
    t = await startIsolatedApp();
    admin = await adminToken(t);
    alice = await createUser(t, 'Alice');
    bob = await createUser(t, 'Bob');
    await createCollection(t, admin, {
      name: 'posts',
      fields: [
        { name: 'title', type: 'text' },
        { name: 'owner', type: 'relation', collection: 'users', maxSelect: 1 },
        { name: 'secret', type: 'text', hidden: true },
      ],
      listRule: 'owner = @request.auth.id',
      viewRule: 'owner = @request.auth.id',
      createRule: "@request.auth.id != '' && @request.body.owner = @request.auth.id",
      updateRule: 'owner = @request.auth.id',
      deleteRule: 'owner = @request.auth.id',
    });
    tokens.anonymous = undefined;
    tokens['other user'] = bob.token;
    tokens.owner = alice.token;
    tokens['read key'] = await createKey(t, admin, ['posts:read']);
    tokens['write key'] = await createKey(t, admin, ['posts:write']);
    tokens['unscoped key'] = await createKey(t, admin, ['other:read']);
    tokens.admin = admin;
    tokens['admin key'] = await createKey(t, admin, ['admin']);
  });
  afterAll(async () => {
    await t?.stop();
  });

  /** A fresh post of Alice's and one of Bob's, made by the admin. */
  async function seed() {
    const mine = await createRecord(t, admin, 'posts', {
      title: 'alice post',
      owner: alice.id,
      secret: 's-a',
    });
    const theirs = await createRecord(t, admin, 'posts', { title: 'bob post', owner: bob.id, secret: 's-b' });
    return { mine, theirs };
  }

  const asAdmin = () => api(t, admin);
  const current = async (id: string) => (await asAdmin()('GET', `/api/collections/posts/records/${id}`)).body;

  function expectHiddenFollowsCaller(who: Caller, record: Record<string, unknown>) {
    if (SEES_HIDDEN.has(who)) expect(record).toHaveProperty('secret');
    else expect(record).not.toHaveProperty('secret');
  }

  describe('the rules matrix on posts (owner = @request.auth.id)', () => {
    const LIST: Record<Caller, 'none' | 'own' | 'all' | 403> = {
      anonymous: 'none',
      'other user': 'own',
      owner: 'own',
      'read key': 'all',
      'write key': 'all',
      'unscoped key': 403,
      admin: 'all',
      'admin key': 'all',
    };
    for (const who of CALLERS) {
      it(`list as ${who}: ${String(LIST[who])}`, async () => {
        const { mine, theirs } = await seed();
        const res = await listRecords(t, tokens[who], 'posts', { perPage: '500' });
        if (LIST[who] === 403) {
          expectApiProblem(res, 403, 'SCOPE_REQUIRED');
          return;
        }
        expect(res.status).toBe(200);
        const got = ids(res);
        const total = res.body.totalItems;
        if (LIST[who] === 'none') {
          expect(got).toEqual([]);
          expect(total).toBe(0);
        } else if (LIST[who] === 'all') {
          expect(got).toEqual(expect.arrayContaining([mine.id, theirs.id]));
        } else {
          const own = who === 'owner' ? mine : theirs;
          const foreign = who === 'owner' ? theirs : mine;
          expect(got).toContain(own.id);
          expect(got).not.toContain(foreign.id);
          const me = who === 'owner' ? alice : bob;
          expect(res.body.items.every((i: { owner: string }) => i.owner === me.id)).toBe(true);
          expect(total).toBe(got.length);
        }
        for (const item of res.body.items) expectHiddenFollowsCaller(who, item);
      });
    }

    const VIEW: Record<Caller, 200 | 404 | 403> = {
      anonymous: 404,
      'other user': 404,
      owner: 200,
      'read key': 200,
      'write key': 200,
      'unscoped key': 403,
      admin: 200,
      'admin key': 200,
    };
    for (const who of CALLERS) {
      it(`view of the owner's post as ${who}: ${VIEW[who]}`, async () => {
        const { mine } = await seed();
        const res = await call(who)('GET', `/api/collections/posts/records/${mine.id}`);
        if (VIEW[who] === 404) expectApiProblem(res, 404, 'RECORD_NOT_FOUND');
        else if (VIEW[who] === 403) expectApiProblem(res, 403, 'SCOPE_REQUIRED');
        else {
          expect(res.status).toBe(200);
          expect(res.body).toMatchObject({ id: mine.id, title: 'alice post', owner: alice.id });
          expectHiddenFollowsCaller(who, res.body);
          if (SEES_HIDDEN.has(who)) expect(res.body.secret).toBe('s-a');
        }
      });
    }

    // Create: the body names Alice as the owner.
    const CREATE: Record<Caller, 200 | [number, string]> = {
      anonymous: [403, 'RULE_REFUSED'],
      'other user': [403, 'RULE_REFUSED'],
      owner: 200,
      'read key': [403, 'SCOPE_REQUIRED'],
      'write key': 200,
      'unscoped key': [403, 'SCOPE_REQUIRED'],
      admin: 200,
      'admin key': 200,
    };
    for (const who of CALLERS) {
      it(`create of a post owned by the owner as ${who}: ${JSON.stringify(CREATE[who])}`, async () => {
        const title = `created by ${who}`;
        const res = await call(who)('POST', '/api/collections/posts/records', {
          title,
          owner: alice.id,
          secret: 'written',
        });
        const stored = ids(await listRecords(t, admin, 'posts', { filter: `title = "${title}"` }));
        const expected = CREATE[who];
        if (expected === 200) {
          expect(res.status).toBe(200);
          expect(res.body).toMatchObject({ title, owner: alice.id });
          expectHiddenFollowsCaller(who, res.body);
          expect(stored).toEqual([res.body.id]);
          expect((await current(res.body.id)).secret).toBe('written');
        } else {
          expectApiProblem(res, expected[0], expected[1]);
          expect(stored).toEqual([]);
        }
      });
    }

    it('lets a user create a post they own, and refuses one they would not', async () => {
      const mine = await api(t, bob.token)('POST', '/api/collections/posts/records', {
        title: 'b',
        owner: bob.id,
      });
      expect(mine.status).toBe(200);
      expect(mine.body).not.toHaveProperty('secret');
      const none = await api(t, bob.token)('POST', '/api/collections/posts/records', { title: 'no owner' });
      expectApiProblem(none, 403, 'RULE_REFUSED');
    });

    const CHANGE: Record<Caller, 200 | [number, string]> = {
      anonymous: [404, 'RECORD_NOT_FOUND'],
      'other user': [404, 'RECORD_NOT_FOUND'],
      owner: 200,
      'read key': [403, 'SCOPE_REQUIRED'],
      'write key': 200,
      'unscoped key': [403, 'SCOPE_REQUIRED'],
      admin: 200,
      'admin key': 200,
    };
    for (const who of CALLERS) {
      it(`update of the owner's post as ${who}: ${JSON.stringify(CHANGE[who])}`, async () => {
        const { mine } = await seed();
        const res = await call(who)('PATCH', `/api/collections/posts/records/${mine.id}`, {
          title: 'changed',
        });
        const expected = CHANGE[who];
        if (expected === 200) {
          expect(res.status).toBe(200);
          expect(res.body).toMatchObject({ id: mine.id, title: 'changed' });
          expectHiddenFollowsCaller(who, res.body);
          expect((await current(mine.id)).title).toBe('changed');
        } else {
          expectApiProblem(res, expected[0], expected[1]);
          expect((await current(mine.id)).title).toBe('alice post');
        }
      });

      it(`delete of the owner's post as ${who}: ${JSON.stringify(CHANGE[who] === 200 ? 204 : CHANGE[who])}`, async () => {
        const { mine } = await seed();
        const res = await call(who)('DELETE', `/api/collections/posts/records/${mine.id}`);
        const expected = CHANGE[who];
        if (expected === 200) {
          expect(res.status).toBe(204);
          expectApiProblem(
            await asAdmin()('GET', `/api/collections/posts/records/${mine.id}`),
            404,
            'RECORD_NOT_FOUND',
          );
        } else {
          expectApiProblem(res, expected[0], expected[1]);
          expect((await current(mine.id)).id).toBe(mine.id);
        }
      });
    }

    it('judges the update rule against the stored record, not the body', async () => {
      const { theirs } = await seed();
      // Bob's post cannot be taken over by claiming it in the body.
      const res = await api(t, alice.token)('PATCH', `/api/collections/posts/records/${theirs.id}`, {
        owner: alice.id,
      });
      expectApiProblem(res, 404, 'RECORD_NOT_FOUND');
      expect((await current(theirs.id)).owner).toBe(bob.id);
    });

    it('answers 401 for a token that is not valid, rather than treating it as anonymous', async () => {
      const res = await api(t, 'not-a-token')('GET', '/api/collections/posts/records');
      expectApiProblem(res, 401, 'INVALID_TOKEN');
    });
  });

  describe('rule variants', () => {
    beforeAll(async () => {
      await createCollection(t, admin, {
        name: 'notes',
        fields: [
          { name: 'text', type: 'text' },
          { name: 'owner', type: 'relation', collection: 'users', maxSelect: 1 },
        ],
        listRule: '',
        viewRule: '',
        createRule: '',
        updateRule: 'owner = @request.auth.id',
        deleteRule: 'owner = @request.auth.id',
      });
      await createCollection(t, admin, {
        name: 'claims',
        fields: [
          { name: 'text', type: 'text' },
          { name: 'owner', type: 'relation', collection: 'users', maxSelect: 1 },
        ],
        listRule: '',
        viewRule: '',
        // Judged on the record as it would be stored.
        createRule: 'owner = @request.auth.id',
        updateRule: null,
        deleteRule: null,
      });
      await createCollection(t, admin, {
        name: 'locked',
        fields: [{ name: 'text', type: 'text' }],
        listRule: null,
        viewRule: null,
        createRule: null,
        updateRule: null,
        deleteRule: null,
      });
    });

    it('a record the caller may view but not change answers 403 RULE_REFUSED for update and delete', async () => {
      const note = await createRecord(t, admin, 'notes', { text: 'hi', owner: alice.id });
      for (const token of [bob.token, undefined]) {
        const as = api(t, token);
        expect((await as('GET', `/api/collections/notes/records/${note.id}`)).status).toBe(200);
        expectApiProblem(
          await as('PATCH', `/api/collections/notes/records/${note.id}`, { text: 'defaced' }),
          403,
          'RULE_REFUSED',
        );
        expectApiProblem(
          await as('DELETE', `/api/collections/notes/records/${note.id}`),
          403,
          'RULE_REFUSED',
        );
      }
      const stored = await api(t, admin)('GET', `/api/collections/notes/records/${note.id}`);
      expect(stored.body.text).toBe('hi');
      const own = await api(t, alice.token)('PATCH', `/api/collections/notes/records/${note.id}`, {
        text: 'mine',
      });
      expect(own.status).toBe(200);
      expect((await api(t, alice.token)('DELETE', `/api/collections/notes/records/${note.id}`)).status).toBe(
        204,
      );
    });

    it('a create rule over the record itself refuses records for someone else, and keeps nothing', async () => {
      const refused = await api(t, bob.token)('POST', '/api/collections/claims/records', {
        text: 'for alice',
        owner: alice.id,
      });
      expectApiProblem(refused, 403, 'RULE_REFUSED');
      const anonymous = await api(t)('POST', '/api/collections/claims/records', { text: 'anon' });
      expectApiProblem(anonymous, 403, 'RULE_REFUSED');
      expect(ids(await listRecords(t, admin, 'claims'))).toEqual([]);
      const allowed = await api(t, bob.token)('POST', '/api/collections/claims/records', {
        text: 'mine',
        owner: bob.id,
      });
      expect(allowed.status).toBe(200);
      // updateRule and deleteRule are null: only admins.
      expectApiProblem(
        await api(t, bob.token)('PATCH', `/api/collections/claims/records/${allowed.body.id}`, { text: 'x' }),
        403,
        'ADMIN_REQUIRED',
      );
      expectApiProblem(
        await api(t, bob.token)('DELETE', `/api/collections/claims/records/${allowed.body.id}`),
        403,
        'ADMIN_REQUIRED',
      );
    });

    it('rules read @request.auth fields, @request.body and @now', async () => {
      await createCollection(t, admin, {
        name: 'tasks',
        fields: [
          { name: 'title', type: 'text' },
          { name: 'locked', type: 'bool' },
          { name: 'due', type: 'date' },
          { name: 'owner', type: 'relation', collection: 'users', maxSelect: 1 },
        ],
        listRule: "@request.auth.name = 'Alice'",
        viewRule: "due > @now || @request.auth.id != ''",
        createRule: "@request.auth.verified = false && @request.body.title != 'forbidden'",
        updateRule: 'owner = @request.auth.id && @request.body.locked != true',
        deleteRule: 'due < @now',
      });
      const future = new Date(Date.now() + 86_400_000).toISOString();
      const past = new Date(Date.now() - 86_400_000).toISOString();
      const soon = await createRecord(t, admin, 'tasks', { title: 'soon', due: future, owner: bob.id });
      const late = await createRecord(t, admin, 'tasks', { title: 'late', due: past, owner: bob.id });

      expect(ids(await listRecords(t, alice.token, 'tasks'))).toHaveLength(2);
      expect(ids(await listRecords(t, bob.token, 'tasks'))).toEqual([]);
      expect(ids(await listRecords(t, undefined, 'tasks'))).toEqual([]);

      expect((await api(t)('GET', `/api/collections/tasks/records/${soon.id}`)).status).toBe(200);
      expectApiProblem(
        await api(t)('GET', `/api/collections/tasks/records/${late.id}`),
        404,
        'RECORD_NOT_FOUND',
      );
      expect((await api(t, alice.token)('GET', `/api/collections/tasks/records/${late.id}`)).status).toBe(
        200,
      );

      expectApiProblem(
        await api(t, bob.token)('POST', '/api/collections/tasks/records', { title: 'forbidden' }),
        403,
        'RULE_REFUSED',
      );
      expectApiProblem(
        await api(t)('POST', '/api/collections/tasks/records', { title: 'anon' }),
        403,
        'RULE_REFUSED',
      );
      expect(
        (await api(t, bob.token)('POST', '/api/collections/tasks/records', { title: 'fine' })).status,
      ).toBe(200);

      const bobs = api(t, bob.token);
      expectApiProblem(
        await bobs('PATCH', `/api/collections/tasks/records/${soon.id}`, { locked: true }),
        403,
        'RULE_REFUSED',
      );
      expect(
        (await bobs('PATCH', `/api/collections/tasks/records/${soon.id}`, { title: 'renamed' })).status,
      ).toBe(200);
      expectApiProblem(
        await api(t, alice.token)('PATCH', `/api/collections/tasks/records/${soon.id}`, { title: 'x' }),
        403,
        'RULE_REFUSED',
      );

      expectApiProblem(
        await bobs('DELETE', `/api/collections/tasks/records/${soon.id}`),
        403,
        'RULE_REFUSED',
      );
      expect((await bobs('DELETE', `/api/collections/tasks/records/${late.id}`)).status).toBe(204);
    });

    it('a rule that no longer compiles after a schema change hides records instead of failing', async () => {
      const target = await createCollection(t, admin, {
        name: 'drift_target',
        fields: [
          { name: 'x', type: 'text' },
          { name: 'y', type: 'text' },
        ],
        listRule: '',
        viewRule: '',
      });
      const rule = "title = 'q' && rel.x = 'v'";
      await createCollection(t, admin, {
        name: 'drift',
        fields: [
          { name: 'title', type: 'text' },
          { name: 'rel', type: 'relation', collection: 'drift_target', maxSelect: 1 },
        ],
        listRule: rule,
        viewRule: rule,
        updateRule: rule,
      });
      const tr = await createRecord(t, admin, 'drift_target', { x: 'v' });
      const rec = await createRecord(t, admin, 'drift', { title: 'q', rel: tr.id });
      expect(ids(await listRecords(t, undefined, 'drift'))).toEqual([rec.id]);

      // Drop the field the rule reads: the schema API allows it (the rule lives on another collection).
      const fields = (target.fields as Array<{ name: string }>).filter((f) => f.name !== 'x');
      ok(await api(t, admin)('PATCH', '/api/collections/drift_target', { fields }));

      const list = await listRecords(t, undefined, 'drift', { filter: 'rel.y = null' });
      expect(list.status).toBe(200);
      expect(ids(list)).toEqual([]);
      expectApiProblem(
        await api(t)('GET', `/api/collections/drift/records/${rec.id}`),
        404,
        'RECORD_NOT_FOUND',
      );
      expectApiProblem(
        await api(t)('PATCH', `/api/collections/drift/records/${rec.id}`, { title: 'z' }),
        404,
        'RECORD_NOT_FOUND',
      );
    });

    it('null rules answer 403 to everyone but admins and keys with scope', async () => {
      const rec = await createRecord(t, admin, 'locked', { text: 'x' });
      for (const token of [undefined, alice.token, tokens['unscoped key']]) {
        const as = api(t, token);
        const path = `/api/collections/locked/records/${rec.id}`;
        for (const res of [
          await as('GET', '/api/collections/locked/records'),
          await as('GET', path),
          await as('POST', '/api/collections/locked/records', { text: 'y' }),
          await as('PATCH', path, { text: 'y' }),
          await as('DELETE', path),
        ]) {
          // A key is refused for its scopes; a user or anyone for the locked rule.
          expectApiProblem(res, 403, token === tokens['unscoped key'] ? 'SCOPE_REQUIRED' : 'ADMIN_REQUIRED');
        }
      }
      expect((await api(t, admin)('GET', `/api/collections/locked/records/${rec.id}`)).body.text).toBe('x');
      const lockedKey = await createKey(t, admin, ['locked:read']);
      expect(ids(await listRecords(t, lockedKey, 'locked'))).toEqual([rec.id]);
      expectApiProblem(
        await api(t, lockedKey)('DELETE', `/api/collections/locked/records/${rec.id}`),
        403,
        'SCOPE_REQUIRED',
      );
    });

    it('users see their own user record only, with email; others get 404', async () => {
      const mine = await api(t, alice.token)('GET', `/api/collections/users/records/${alice.id}`);
      expect(mine.status).toBe(200);
      expect(mine.body).toMatchObject({ id: alice.id, email: alice.email, name: 'Alice' });
      expectApiProblem(
        await api(t, alice.token)('GET', `/api/collections/users/records/${bob.id}`),
        404,
        'RECORD_NOT_FOUND',
      );
      expect(ids(await listRecords(t, alice.token, 'users'))).toEqual([alice.id]);
      expect(ids(await listRecords(t, undefined, 'users'))).toEqual([]);
    });
  });

  describe('hidden fields', () => {
    beforeAll(async () => {
      await createCollection(t, admin, {
        name: 'docs',
        fields: [
          { name: 'title', type: 'text' },
          { name: 'secret', type: 'text', hidden: true },
          { name: 'ref', type: 'relation', collection: 'docs', maxSelect: 1, hidden: true },
          { name: 'parent', type: 'relation', collection: 'docs', maxSelect: 1 },
        ],
        listRule: '',
        viewRule: '',
        createRule: '',
        updateRule: '',
        deleteRule: '',
      });
    });

    it('are absent from every answer to users, anonymous callers and scoped keys, present for admins', async () => {
      const docsKey = await createKey(t, admin, ['docs:write']);
      const base = await createRecord(t, admin, 'docs', { title: 'base', secret: 'b' });
      for (const [token, sees] of [
        [undefined, false],
        [alice.token, false],
        [docsKey, false],
        [admin, true],
        [tokens['admin key'], true],
      ] as const) {
        const as = api(t, token);
        const answers: ApiAnswer[] = [];
        const created = await as('POST', '/api/collections/docs/records', {
          title: 'x',
          secret: 'top',
          ref: base.id,
          parent: base.id,
        });
        answers.push(created);
        const path = `/api/collections/docs/records/${created.body.id}`;
        answers.push(await as('GET', `${path}?expand=parent`));
        answers.push(await as('PATCH', path, { title: 'y' }));
        answers.push(await as('GET', `${path}?fields=secret,ref,title`));
        const list = await listRecords(t, token, 'docs', {
          filter: `id = "${created.body.id}"`,
          expand: 'parent',
        });
        answers.push({ ...list, body: list.body.items[0] });
        for (const res of answers) {
          expect(res.status).toBe(200);
          const text = JSON.stringify(res.body);
          expect(text.includes('"secret"')).toBe(sees);
          expect(text.includes('"ref"')).toBe(sees);
          expect(text.includes('"top"')).toBe(sees);
        }
        // The expanded parent is stripped as well.
        expect(Object.hasOwn(answers[1]!.body.expand.parent, 'secret')).toBe(sees);
      }
    });

    it('an email hidden by emailVisibility cannot be found by filtering or sorting on it', async () => {
      await createCollection(t, admin, {
        name: 'members',
        type: 'auth',
        fields: [{ name: 'nick', type: 'text' }],
        listRule: '',
        viewRule: '',
        createRule: '',
      });
      await createCollection(t, admin, {
        name: 'memberships',
        fields: [{ name: 'member', type: 'relation', collection: 'members', maxSelect: 1 }],
        listRule: '',
        viewRule: '',
      });
      const member = async (nick: string, email: string, emailVisibility: boolean) => {
        const rec = await createRecord(t, undefined, 'members', {
          email,
          emailVisibility,
          nick,
          password: 'password-123456',
          passwordConfirm: 'password-123456',
        });
        await createRecord(t, admin, 'memberships', { member: rec.id });
        return rec;
      };
      // Created in this order; their emails sort the other way round.
      const zed = await member('zed', 'zz-secret@example.com', false);
      const yan = await member('yan', 'yy-secret@example.com', false);
      const pub = await member('pub', 'aa-public@example.com', true);
      const nicks = async (params: Record<string, string>, token?: string, collection = 'members') => {
        const expand: Record<string, string> = collection === 'members' ? {} : { expand: 'member' };
        const res = await listRecords(t, token, collection, { ...params, ...expand });
        expect(res.status).toBe(200);
        return res.body.items.map((i: { nick?: string; expand?: { member: { nick: string } } }) =>
          collection === 'members' ? i.nick : i.expand?.member.nick,
        );
      };
      const zedToken = await userToken(t, 'members', zed.id);

      for (const token of [undefined, alice.token, zedToken]) {
        expect(await nicks({ filter: 'email ~ "yy-secret"' }, token)).toEqual([]);
        expect(await nicks({ filter: 'email ~ "secret"' }, token)).toEqual(token === zedToken ? ['zed'] : []);
        expect(await nicks({ filter: 'email ~ "public"' }, token)).toEqual(['pub']);
        expect(await nicks({ filter: 'member.email ~ "yy-"' }, token, 'memberships')).toEqual([]);
        expect(await nicks({ filter: 'member.email ~ "aa-"' }, token, 'memberships')).toEqual(['pub']);
        // Hidden emails sort as empty values: after the visible ones, in id order.
        // (By email it would be pub, yan, zed.)
        expect(await nicks({ sort: 'email' }, token)).toEqual(['pub', 'zed', 'yan']);
        const list = await listRecords(t, token, 'members', { sort: 'email', filter: 'email != ""' });
        expect(list.body.totalItems).toBe(token === zedToken ? 2 : 1);
        // Nor do answers (lists, expands) carry it.
        const answers = JSON.stringify([
          (await listRecords(t, token, 'members')).body,
          (await listRecords(t, token, 'memberships', { expand: 'member' })).body,
        ]);
        expect(answers).toContain('aa-public@example.com');
        expect(answers).not.toContain('yy-secret');
        expect(answers.includes('zz-secret')).toBe(token === zedToken);
      }
      // Admins see and filter every email.
      expect(await nicks({ filter: 'email ~ "secret"', sort: 'email' }, admin)).toEqual(['yan', 'zed']);
      expect(await nicks({ filter: `id = "${pub.id}" || id = "${yan.id}"`, sort: '-email' }, admin)).toEqual([
        'yan',
        'pub',
      ]);
    });

    it('cannot be used to filter, sort or expand by anyone but admins', async () => {
      const docsKey = await createKey(t, admin, ['docs:read']);
      await createRecord(t, admin, 'docs', { title: 'probe', secret: 'needle' });
      for (const token of [undefined, alice.token, docsKey]) {
        expectApiProblem(
          await listRecords(t, token, 'docs', { filter: 'secret = "needle"' }),
          400,
          'FILTER_HIDDEN_FIELD',
        );
        expectApiProblem(
          await listRecords(t, token, 'docs', { filter: 'secret ~ "nee"' }),
          400,
          'FILTER_HIDDEN_FIELD',
        );
        expectApiProblem(
          await listRecords(t, token, 'docs', { filter: 'parent.secret = "needle"' }),
          400,
          'FILTER_HIDDEN_FIELD',
        );
        expectApiProblem(
          await listRecords(t, token, 'docs', { filter: 'ref.title = "probe"' }),
          400,
          'FILTER_HIDDEN_FIELD',
        );
        expectApiProblem(await listRecords(t, token, 'docs', { sort: '-secret' }), 400, 'SORT_HIDDEN_FIELD');
        expectApiProblem(
          await listRecords(t, token, 'docs', { sort: 'title,secret' }),
          400,
          'SORT_HIDDEN_FIELD',
        );
        // A hidden relation is no relation for them: ignored as PocketBase ignores unknown expand paths.
        const hiddenExpand = await listRecords(t, token, 'docs', { expand: 'ref' });
        expect(hiddenExpand.status).toBe(200);
        expect(hiddenExpand.body.items.filter((i: { expand?: unknown }) => i.expand)).toEqual([]);
      }
      for (const token of [admin, tokens['admin key']]) {
        const res = await listRecords(t, token, 'docs', { filter: 'secret = "needle"', sort: '-secret' });
        expect(res.status).toBe(200);
        expect(res.body.items.map((i: { title: string }) => i.title)).toEqual(['probe']);
      }
    });
  });

  describe('expand', () => {
    const recs = {} as Record<string, Record<string, unknown> & { id: string }>;

    beforeAll(async () => {
      const open = { listRule: '', viewRule: '', createRule: '', updateRule: '', deleteRule: '' };
      await createCollection(t, admin, { name: 'orgs', fields: [{ name: 'name', type: 'text' }], ...open });
      await createCollection(t, admin, {
        name: 'people',
        fields: [
          { name: 'name', type: 'text' },
          { name: 'org', type: 'relation', collection: 'orgs', maxSelect: 1 },
          { name: 'salary', type: 'number', hidden: true },
        ],
        ...open,
      });
      await createCollection(t, admin, { name: 'labels', fields: [{ name: 'name', type: 'text' }], ...open });
      await createCollection(t, admin, {
        name: 'stories',
        fields: [
          { name: 'title', type: 'text' },
          { name: 'public', type: 'bool' },
          { name: 'author', type: 'relation', collection: 'people', maxSelect: 1 },
          { name: 'labels', type: 'relation', collection: 'labels', maxSelect: 5 },
        ],
        ...open,
        listRule: 'public = true',
        viewRule: 'public = true',
      });
      await createCollection(t, admin, {
        name: 'comments',
        fields: [
          { name: 'text', type: 'text' },
          { name: 'story', type: 'relation', collection: 'stories', maxSelect: 1 },
          { name: 'about', type: 'relation', collection: 'posts', maxSelect: 1 },
        ],
        ...open,
      });
      recs.org = await createRecord(t, admin, 'orgs', { name: 'Acme' });
      recs.author = await createRecord(t, admin, 'people', { name: 'Pat', org: recs.org.id, salary: 100 });
      recs.secretAuthor = await createRecord(t, admin, 'people', { name: 'Hidden Hal', salary: 200 });
      recs.l1 = await createRecord(t, admin, 'labels', { name: 'one' });
      recs.l2 = await createRecord(t, admin, 'labels', { name: 'two' });
      recs.publicStory = await createRecord(t, admin, 'stories', {
        title: 'Open',
        public: true,
        author: recs.author.id,
        labels: [recs.l2.id, recs.l1.id],
      });
      recs.privateStory = await createRecord(t, admin, 'stories', {
        title: 'Closed',
        public: false,
        author: recs.secretAuthor.id,
      });
      recs.onPublic = await createRecord(t, admin, 'comments', { text: 'c1', story: recs.publicStory.id });
      recs.onPrivate = await createRecord(t, admin, 'comments', { text: 'c2', story: recs.privateStory.id });
    });

    it('expands three levels deep through single relations', async () => {
      const res = await api(t)(
        'GET',
        `/api/collections/comments/records/${recs.onPublic.id}?expand=story.author.org`,
      );
      expect(res.status).toBe(200);
      const story = res.body.expand.story;
      expect(story).toMatchObject({ id: recs.publicStory.id, title: 'Open', collectionName: 'stories' });
      expect(story.expand.author).toMatchObject({ id: recs.author.id, name: 'Pat' });
      expect(story.expand.author).not.toHaveProperty('salary');
      expect(story.expand.author.expand.org).toMatchObject({ id: recs.org.id, name: 'Acme' });
    });

    it('expands a multi relation as an array in stored order, and several paths at once', async () => {
      const res = await listRecords(t, undefined, 'comments', {
        filter: `id = "${recs.onPublic.id}"`,
        expand: 'story.labels,story.author',
      });
      const story = res.body.items[0].expand.story;
      expect(story.expand.labels.map((l: { name: string }) => l.name)).toEqual(['two', 'one']);
      expect(story.expand.author.name).toBe('Pat');
      const direct = await api(t)(
        'GET',
        `/api/collections/stories/records/${recs.publicStory.id}?expand=labels`,
      );
      expect(Array.isArray(direct.body.expand.labels)).toBe(true);
      expect(direct.body.expand.labels).toHaveLength(2);
    });

    it('leaves out a middle record its own view rule hides, and everything below it', async () => {
      const res = await api(t)(
        'GET',
        `/api/collections/comments/records/${recs.onPrivate.id}?expand=story.author.org`,
      );
      expect(res.status).toBe(200);
      expect(res.body.story).toBe(recs.privateStory.id);
      expect(res.body.expand?.story).toBeUndefined();
      const text = JSON.stringify(res.body);
      expect(text).not.toContain('Closed');
      expect(text).not.toContain(recs.secretAuthor.id);
      expect(text).not.toContain('Hidden Hal');

      // In a list, the hidden one is absent while its neighbour is expanded.
      const list = await listRecords(t, undefined, 'comments', { expand: 'story.author', sort: 'text' });
      const [c1, c2] = list.body.items;
      expect(c1.expand.story.expand.author.name).toBe('Pat');
      expect(c2.expand?.story).toBeUndefined();
      expect(JSON.stringify(list.body)).not.toContain('Hidden Hal');

      // Admins see everything.
      const asAdmin = await api(t, admin)(
        'GET',
        `/api/collections/comments/records/${recs.onPrivate.id}?expand=story.author`,
      );
      expect(asAdmin.body.expand.story.expand.author).toMatchObject({ name: 'Hidden Hal', salary: 200 });
    });

    it('expands a related record only for callers its collection lets see it', async () => {
      const post = await createRecord(t, admin, 'posts', { title: 'p', owner: alice.id, secret: 'zz' });
      const comment = await createRecord(t, admin, 'comments', { text: 'on post', about: post.id });
      const path = `/api/collections/comments/records/${comment.id}?expand=about`;
      expect((await api(t)('GET', path)).body.expand?.about).toBeUndefined();
      expect((await api(t, bob.token)('GET', path)).body.expand?.about).toBeUndefined();
      const own = await api(t, alice.token)('GET', path);
      expect(own.body.expand.about).toMatchObject({ id: post.id, title: 'p' });
      expect(own.body.expand.about).not.toHaveProperty('secret');
    });

    it('ignores expand paths that are not relations (as PocketBase), refuses too deep ones', async () => {
      for (const expand of ['nope', 'text', 'story.nope', 'story.title', 'story..author', 'a'.repeat(5000)]) {
        const res = await listRecords(t, undefined, 'comments', { expand });
        expect({ expand: expand.slice(0, 20), status: res.status }).toEqual({
          expand: expand.slice(0, 20),
          status: 200,
        });
        for (const item of res.body.items) expect(item.expand?.story?.expand ?? {}).toEqual({});
      }
      const deep = 'story.author.org.x.y.z.w';
      expectApiProblem(await listRecords(t, undefined, 'comments', { expand: deep }), 400, 'INVALID_EXPAND');
    });
  });
});
