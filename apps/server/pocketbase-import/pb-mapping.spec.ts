import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { pocketbaseFixtureDir } from '../../../test/support/pocketbase-fixture.js';
import { mapCollections, parseIndex, type MappedCollection } from './pb-mapping.js';
import { planCollections } from './pb-plan.js';
import { PbReader, type PbCollection } from './pb-reader.js';

/** PocketBase's own test data: every field type, auth options, rules with comments and modifiers. */
async function fixtureCollections(): Promise<PbCollection[]> {
  const reader = await PbReader.open(join(pocketbaseFixtureDir(), 'data.db'));
  try {
    return reader.collections();
  } finally {
    reader.close();
  }
}

const named = (mapped: MappedCollection[], name: string) => mapped.find((m) => m.pb.name === name)!;
const field = (m: MappedCollection, name: string) =>
  (m.body.fields as Array<Record<string, unknown>>).find((f) => f.name === name);

describe("PocketBase collections as Plinth's (issue 19)", () => {
  it("maps the fixture's collections so that Plinth's normaliser takes every one", async () => {
    const mapped = mapCollections(await fixtureCollections(), { textIds: true });
    expect(planCollections(mapped).problems).toEqual([]);
    // PocketBase's system collections are not collections in Plinth.
    expect(mapped.map((m) => m.pb.name)).not.toContain('_superusers');
    expect(mapped.map((m) => m.pb.name)).not.toContain('_externalAuths');
  });

  it('keeps rules as PocketBase wrote them where they compile (comments and modifiers too)', async () => {
    const mapped = mapCollections(await fixtureCollections(), { textIds: true });
    planCollections(mapped);
    const demo3 = named(mapped, 'demo3');
    expect(demo3.body.listRule).toContain('// example leading comment...');
    expect(named(mapped, 'demo5').body.listRule).toBe('select_many:length = 3');
    expect(named(mapped, 'demo5').body.deleteRule).toBe('@request.query.test:isset = true');
    expect(named(mapped, 'users').body.listRule).toBeNull();
    expect(named(mapped, 'demo2').body.listRule).toBe('');
    expect(named(mapped, 'nologin').body.manageRule).toBe("@request.auth.collectionName = 'users'");
  });

  it('makes a rule that does not compile admin-only (null), never wider, and says so', async () => {
    const all = await fixtureCollections();
    const demo2 = all.find((c) => c.name === 'demo2')!;
    const broken = { ...demo2, listRule: 'no_such_field = 1', viewRule: '', deleteRule: 'title ~~ "x"' };
    const mapped = mapCollections(
      all.map((c) => (c.name === 'demo2' ? broken : c)),
      { textIds: true },
    );
    expect(planCollections(mapped).problems).toEqual([]);
    const m = named(mapped, 'demo2');
    expect(m.body.listRule).toBeNull();
    expect(m.body.deleteRule).toBeNull();
    expect(m.body.viewRule).toBe('');
    expect(m.notes.filter((n) => n.kind === 'limited').map((n) => n.what)).toEqual([
      'listRule',
      'deleteRule',
    ]);
    expect(m.notes[0]!.why).toContain('no_such_field = 1');
  });

  it('refuses password sign-in where PocketBase required MFA or OTP, and names every option it cannot keep', async () => {
    const mapped = mapCollections(await fixtureCollections(), { textIds: true });
    const users = named(mapped, 'users');
    expect(users.body.passwordAuth).toEqual({ enabled: false, identityFields: ['email', 'username'] });
    const whats = users.notes.map((n) => `${n.kind} ${n.what}`);
    expect(whats).toContain('limited passwordAuth');
    expect(whats).toContain('skipped oauth2 provider gitlab');
    expect(users.body.oauth2).toMatchObject({
      enabled: true,
      providers: [{ name: 'google', clientId: 'test' }],
    });
    expect(named(mapped, 'clients').body.passwordAuth).toEqual({
      enabled: true,
      identityFields: ['email', 'username'],
    });
    expect(field(users, 'username')).toMatchObject({ type: 'text', unique: true, required: true });

    const demo1 = named(mapped, 'demo1');
    expect(field(demo1, 'point')).toMatchObject({ type: 'geoPoint' });
    expect(field(demo1, 'rel_many')).toMatchObject({
      maxSelect: 1000,
      collection: 'users',
      onDelete: 'cascade',
    });
    expect(demo1.notes.map((n) => n.what)).toEqual(expect.arrayContaining(['rel_many.maxSelect']));
    const demo4 = named(mapped, 'demo4');
    expect(field(demo4, 'rel_one_no_cascade_required')).toMatchObject({
      onDelete: 'restrict',
      required: true,
    });
    expect(field(demo4, 'rel_one_no_cascade')).toMatchObject({ onDelete: 'set-null' });
    expect(field(demo4, 'rel_one_unique')).toMatchObject({ unique: true });
    expect(demo4.notes.map((n) => n.what)).toContain('rel_many_unique.unique');
  });

  it('maps view collections to Plinth views with their query and read rules', async () => {
    const mapped = mapCollections(await fixtureCollections(), { textIds: true, views: true });
    expect(named(mapped, 'view1').body).toMatchObject({
      type: 'view',
      viewQuery: expect.stringContaining('from demo1'),
      listRule: '@request.auth.id != "" && bool = true',
      createRule: null,
    });
    expect(named(mapped, 'numeric_id_view').skipped).toBeUndefined();
  });
});

describe('parseIndex', () => {
  it.each([
    [
      'CREATE INDEX `idx_demo2_created` ON `demo2` (`created`)',
      { unique: false, columns: ['created'], where: null },
    ],
    [
      'CREATE UNIQUE INDEX "idx_unique_demo2_title" on "demo2" ("title")',
      { unique: true, columns: ['title'], where: null },
    ],
    [
      'CREATE INDEX "idx_demo2_active" ON "demo2" (\n"active"\n)',
      { unique: false, columns: ['active'], where: null },
    ],
    [
      "CREATE UNIQUE INDEX `x` ON `users` (email) WHERE email != ''",
      { unique: true, columns: ['email'], where: "email != ''" },
    ],
    ['CREATE INDEX `y` ON `t` (a, `b` DESC)', { unique: false, columns: ['a', 'b'], where: null }],
    ['CREATE INDEX `z` ON `t` (lower(a))', { unique: false, columns: null, where: null }],
  ])('%s', (sql, expected) => {
    expect(parseIndex(sql)).toMatchObject(expected);
  });
});
