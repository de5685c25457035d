import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { pocketbaseFixtureDir } from '../../../test/support/pocketbase-fixture.js';
import { mapCollections, parseIndex, type MappedCollection } from './pb-mapping.js';
import { planCollections } from './pb-plan.js';
import { mapSettings } from './pb-settings.js';
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

  it('keeps password sign-in, OTP and MFA as PocketBase had them, and names every option it cannot keep', async () => {
    const mapped = mapCollections(await fixtureCollections(), { textIds: true });
    const users = named(mapped, 'users');
    expect(users.body.passwordAuth).toEqual({ enabled: true, identityFields: ['email', 'username'] });
    expect(users.body.otp).toEqual({ enabled: true, duration: 300, length: 8 });
    expect(users.body.mfa).toEqual({ enabled: true, duration: 1800, rule: '' });
    expect(named(mapped, 'clients').body.otp).toBeUndefined();
    const whats = users.notes.map((n) => `${n.kind} ${n.what}`);
    expect(whats).toContain('limited otp.emailTemplate');
    expect(whats).not.toContain('limited passwordAuth');
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

describe("PocketBase's settings as Plinth's (issue 19)", () => {
  const settings = (value: Record<string, unknown>) => mapSettings({ value, encrypted: false });

  it('carries S3 into the storage settings (a bare endpoint means https)', () => {
    const mapped = settings({
      s3: {
        enabled: true,
        bucket: 'pb-files',
        region: 'eu-west-1',
        endpoint: 's3.eu-west-1.amazonaws.com',
        accessKey: 'AKIA1',
        secret: 'shh',
        forcePathStyle: true,
      },
    });
    expect(mapped.storage).toEqual({
      driver: 's3',
      s3Endpoint: 'https://s3.eu-west-1.amazonaws.com',
      s3Bucket: 'pb-files',
      s3Region: 'eu-west-1',
      s3AccessKeyId: 'AKIA1',
      s3SecretAccessKey: 'shh',
      s3ForcePathStyle: true,
    });
    expect(mapped.notes).toContainEqual(expect.objectContaining({ kind: 'mapped', what: 's3' }));
    expect(settings({ s3: { enabled: false, bucket: 'x' } }).storage).toBeUndefined();
    expect(settings({ s3: { enabled: true, bucket: '' } }).notes).toContainEqual(
      expect.objectContaining({ kind: 'skipped', what: 's3' }),
    );
  });

  it('names the environment lines for the app name, URL and the rate limits Plinth has; the rest as not carried', () => {
    const { notes } = settings({
      meta: { appName: 'Acme Shop', appURL: 'https://api.acme.test' },
      rateLimits: {
        enabled: true,
        excludedIPs: ['10.0.0.1'],
        rules: [
          { label: '*:auth', audience: '', duration: 3, maxRequests: 2 },
          { label: '/api/batch', audience: '', duration: 1, maxRequests: 3 },
          { label: '*:create', audience: '', duration: 5, maxRequests: 20 },
          { label: '/api/', audience: '@guest', duration: 10, maxRequests: 300 },
        ],
      },
    });
    const why = (what: string, kind: string) =>
      notes.filter((n) => n.what === what && n.kind === kind).map((n) => n.why);
    expect(why('meta.appName', 'limited')[0]).toMatch('PLINTH_APP_NAME="Acme Shop"');
    expect(why('meta.appURL', 'limited')[0]).toMatch('PUBLIC_URL=https://api.acme.test');
    expect(why('rateLimits', 'limited')[0]).toMatch(
      'PLINTH_AUTH_RATE_PER_IP=40, PLINTH_BATCH_RATE_PER_IP=180',
    );
    expect(why('rateLimits', 'skipped')[0]).toMatch('"*:create", "/api/"');
    expect(why('rateLimits.excludedIPs', 'skipped')).toHaveLength(1);
    // Switched off in PocketBase: nothing to say about them.
    expect(settings({ rateLimits: { enabled: false, rules: [{ label: '*:auth' }] } }).notes).toEqual([
      expect.objectContaining({ what: 'smtp' }),
    ]);
  });
});
