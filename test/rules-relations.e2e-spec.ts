import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { adminToken, api } from './support/auth.js';
import { expectApiProblem } from './support/problem.js';
import {
  createCollection,
  createRecord,
  createUser,
  ids,
  listRecords,
  ok,
  type TestUser,
} from './support/records.js';
import { startIsolatedApp } from './support/start-app.js';

// PocketBase 0.23+ rules that follow a relation of the signed-in record (`@request.auth.team.owner`,
// `@request.auth.roles.name ?= "admin"`) or of the submitted body (`@request.body.team.owner`), through
// the real app: a rules matrix per caller.

describe('rules through @request.auth.<relation> and @request.body.<relation> (issue 17)', () => {
  let t: Awaited<ReturnType<typeof startIsolatedApp>>;
  let admin: string;
  let ada: TestUser;
  let bob: TestUser;
  let cy: TestUser;
  let teamA: string;
  let teamB: string;
  let inA: string;
  let inB: string;

  beforeAll(async () => {
    t = await startIsolatedApp();
    admin = await adminToken(t);
    [ada, bob, cy] = [await createUser(t, 'Ada'), await createUser(t, 'Bob'), await createUser(t, 'Cy')];
    // Locked to admins (null rules), as PocketBase apps keep such lookups: rules still read them.
    await createCollection(t, admin, { name: 'roles', fields: [{ name: 'name', type: 'text' }] });
    await createCollection(t, admin, {
      name: 'teams',
      fields: [
        { name: 'name', type: 'text' },
        { name: 'owner', type: 'relation', collection: 'users', maxSelect: 1 },
      ],
      listRule: '',
      viewRule: '',
    });
    const users = ok(await api(t, admin)('GET', '/api/collections/users')).body;
    ok(
      await api(t, admin)('PATCH', '/api/collections/users', {
        fields: [
          ...users.fields,
          { name: 'team', type: 'relation', collection: 'teams', maxSelect: 1 },
          { name: 'roles', type: 'relation', collection: 'roles', maxSelect: 5 },
        ],
      }),
    );
    await createCollection(t, admin, {
      name: 'projects',
      fields: [
        { name: 'title', type: 'text' },
        { name: 'team', type: 'relation', collection: 'teams', maxSelect: 1 },
      ],
      listRule: '@request.auth.roles.name ?= "admin" || team.owner = @request.auth.id',
      viewRule: '@request.auth.roles.name ?= "admin" || team.owner = @request.auth.id',
      createRule: '@request.body.team.owner = @request.auth.id',
      updateRule: '@request.auth.team.owner = @request.auth.id && team = @request.auth.team',
      deleteRule: '@request.auth.roles.name = "admin"',
    });
    const adminRole = (await createRecord(t, admin, 'roles', { name: 'admin' })).id;
    const editorRole = (await createRecord(t, admin, 'roles', { name: 'editor' })).id;
    teamA = (await createRecord(t, admin, 'teams', { name: 'A', owner: ada.id })).id;
    teamB = (await createRecord(t, admin, 'teams', { name: 'B', owner: bob.id })).id;
    // Before any request of theirs, so no cached auth record predates these relations.
    const set = (u: TestUser, body: Record<string, unknown>) =>
      api(t, admin)('PATCH', `/api/collections/users/records/${u.id}`, body);
    ok(await set(ada, { team: teamA, roles: [adminRole, editorRole] }));
    ok(await set(bob, { team: teamB, roles: [adminRole] }));
    ok(await set(cy, { team: teamB, roles: [] }));
    inA = (await createRecord(t, admin, 'projects', { title: 'a', team: teamA })).id;
    inB = (await createRecord(t, admin, 'projects', { title: 'b', team: teamB })).id;
  });
  afterAll(async () => {
    await t?.stop();
  });

  const create = (u: TestUser, team?: string) =>
    api(t, u.token)('POST', '/api/collections/projects/records', { title: 'new', ...(team ? { team } : {}) });

  it('create "@request.body.team.owner = @request.auth.id": only into a team the caller owns', async () => {
    expect(ok(await create(ada, teamA)).body.team).toBe(teamA);
    expect(ok(await create(bob, teamB)).body.team).toBe(teamB);
    expectApiProblem(await create(ada, teamB), 403, 'RULE_REFUSED');
    expectApiProblem(await create(cy, teamB), 403, 'RULE_REFUSED');
    expectApiProblem(await create(ada), 403, 'RULE_REFUSED');
  });

  it('list and view "@request.auth.roles.name ?= \\"admin\\" || team.owner = @request.auth.id"', async () => {
    const listed = async (u: TestUser) =>
      ids(await listRecords(t, u.token, 'projects', { filter: `id = "${inA}" || id = "${inB}"` })).sort();
    expect(await listed(ada)).toEqual([inA, inB].sort());
    expect(await listed(bob)).toEqual([inA, inB].sort());
    expect(await listed(cy)).toEqual([]);
    expectApiProblem(
      await api(t, cy.token)('GET', `/api/collections/projects/records/${inB}`),
      404,
      'RECORD_NOT_FOUND',
    );
  });

  it('update "@request.auth.team.owner = @request.auth.id && team = @request.auth.team": team owners, their team', async () => {
    const rename = (u: TestUser, id: string) =>
      api(t, u.token)('PATCH', `/api/collections/projects/records/${id}`, { title: `by ${u.id}` });
    expect(ok(await rename(bob, inB)).body.title).toBe(`by ${bob.id}`);
    expect(ok(await rename(ada, inA)).body.title).toBe(`by ${ada.id}`);
    // Bob may see team A's project (his role), but leads team B only.
    expectApiProblem(await rename(bob, inA), 403, 'RULE_REFUSED');
    expectApiProblem(await rename(cy, inB), 404, 'RECORD_NOT_FOUND');
  });

  it('delete "@request.auth.roles.name = \\"admin\\"": every role of the caller is admin', async () => {
    const doomed = (await createRecord(t, admin, 'projects', { title: 'x', team: teamA })).id;
    const remove = (u: TestUser) => api(t, u.token)('DELETE', `/api/collections/projects/records/${doomed}`);
    // Ada is admin and editor: not every role is admin.
    expectApiProblem(await remove(ada), 403, 'RULE_REFUSED');
    expect((await remove(bob)).status).toBe(204);
  });

  it.each([
    ['@request.auth.team.owner.team.owner.team = ""', /at most 4 parts/],
    ['@request.body.team.owner:isset = true', /use it on @request.body.team/],
    ['title:each:each = "a"', /one modifier/],
    ['created:lower = "a"', /single text fields/],
    [
      '@collection.roles:a.name ?= "x" && @collection.roles:b.name ?= "x" && @collection.roles:c.name ?= "x" && @collection.roles:d.name ?= "x"',
      /at most 3/,
    ],
    ['strftime("%Y", created, "localtime") = "2025"', /"localtime" is not supported/],
    ['strftime("%Y", created, "weekday 9") = "2025"', /the weekday is 0 \(Sunday\) to 6/],
    ['strftime("%Y", title, "unixepoch") = "2025"', /time value must be a date or number/],
  ])('refuses the hostile rule %s with 400 INVALID_RULE naming the problem', async (rule, message) => {
    const res = await api(t, admin)('PATCH', '/api/collections/projects', { listRule: rule });
    const problem = expectApiProblem(res, 400, 'VALIDATION_FAILED');
    expect(problem.errors).toEqual([
      expect.objectContaining({
        path: 'listRule',
        code: 'INVALID_RULE',
        message: expect.stringMatching(message),
      }),
    ]);
  });

  it("takes strftime modifiers in an admin's filter; a bad one is a 400 naming it", async () => {
    const today = new Date().toISOString().slice(0, 10);
    const filter = `strftime("%Y-%m-%d", created, "start of day") = "${today}" && id = "${inA}"`;
    expect(ids(await listRecords(t, admin, 'projects', { filter }))).toEqual([inA]);
    const bad = await listRecords(t, admin, 'projects', {
      filter: 'strftime("%Y", created, "+1 fortnight") = ""',
    });
    const problem = expectApiProblem(bad, 400, 'FILTER_SYNTAX');
    expect(problem.detail).toMatch(/unknown modifier "\+1 fortnight"/);
  });

  it("refuses the same paths in an app user's filter (403) and a broken one in a rule (400)", async () => {
    const filter = '@request.auth.team.owner = @request.auth.id';
    expectApiProblem(await listRecords(t, ada.token, 'projects', { filter }), 403, 'FILTER_FORBIDDEN_MACRO');
    const res = await api(t, admin)('PATCH', '/api/collections/projects', {
      createRule: '@request.body.title.owner = @request.auth.id',
    });
    expectApiProblem(res, 400, 'VALIDATION_FAILED');
    expect(res.body.errors[0].message).toMatch(/"title" is no relation field of "projects"/);
  });
});
