/**
 * Issue 19: collections in PocketBase's shape, created by the unchanged `pocketbase` SDK, with
 * PocketBase's collection ids and text record ids: records, relations, expand, filters by id, files,
 * realtime and auth (sign-up, sign-in, refresh) all work by them (docs/decisions/text-ids.md).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import PocketBase, { ClientResponseError } from 'pocketbase';
import { eventually } from '@plinth/testing';
import { ADMIN_EMAIL, ADMIN_PASSWORD, adminToken, api } from './support/auth.js';
import { FetchEventSource } from './support/event-source.js';
import { errorPaths } from './support/problem.js';
import { startIsolatedApp } from './support/start-app.js';

type App = Awaited<ReturnType<typeof startIsolatedApp>>;

const TEXT_ID = /^[a-z0-9]{15}$/;
const PNG_1X1 = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

/** PocketBase 0.23+'s id field, as its dashboard and SDK send it. */
const PB_ID_FIELD = {
  id: 'text3208210256',
  name: 'id',
  type: 'text',
  system: true,
  primaryKey: true,
  required: true,
  hidden: false,
  presentable: false,
  min: 15,
  max: 15,
  pattern: '^[a-z0-9]+$',
  autogeneratePattern: '[a-z0-9]{15}',
};

const autodate = (name: string, onUpdate: boolean) => ({
  id: `autodate_${name}`,
  name,
  type: 'autodate',
  system: false,
  hidden: false,
  presentable: false,
  onCreate: true,
  onUpdate,
});

/** A schema file as PocketBase's SDK sends it (its CollectionModel type wants every key). */
const asFile = (collections: object[]) => collections as Parameters<PocketBase['collections']['import']>[0];

async function sdkError(call: Promise<unknown>): Promise<ClientResponseError> {
  try {
    await call;
  } catch (err) {
    expect(err).toBeInstanceOf(ClientResponseError);
    return err as ClientResponseError;
  }
  throw new Error('expected the SDK call to fail');
}

describe("PocketBase's ids and collection shape (issue 19)", () => {
  let t: App;
  let dataDir: string;
  let su: PocketBase;
  const password = 'password-123456';

  const client = () => {
    const pb = new PocketBase(t.url);
    pb.autoCancellation(false);
    return pb;
  };

  beforeAll(async () => {
    (globalThis as { EventSource?: unknown }).EventSource = FetchEventSource;
    dataDir = await mkdtemp(join(tmpdir(), 'plinth-text-ids-'));
    t = await startIsolatedApp({
      env: { PLINTH_AUTH_RATE_PER_IP: '100000', PLINTH_DATA_DIR: dataDir },
    });
    await adminToken(t);
    su = client();
    await su.collection('_superusers').authWithPassword(ADMIN_EMAIL, ADMIN_PASSWORD);
    // An auth collection exactly as PocketBase's SDK sends one: system fields, autodates, zero options.
    await su.collections.create({
      id: '_pb_members_auth_',
      name: 'members',
      type: 'auth',
      system: false,
      fields: [
        PB_ID_FIELD,
        { name: 'password', type: 'password', system: true, hidden: true, required: true, min: 8 },
        { name: 'tokenKey', type: 'text', system: true, hidden: true, required: true },
        {
          name: 'email',
          type: 'email',
          system: true,
          required: true,
          exceptDomains: null,
          onlyDomains: null,
        },
        { name: 'emailVisibility', type: 'bool', system: true },
        { name: 'verified', type: 'bool', system: true },
        {
          id: 'text1579384326',
          name: 'nick',
          type: 'text',
          system: false,
          hidden: false,
          presentable: true,
          required: false,
          primaryKey: false,
          min: 0,
          max: 0,
          pattern: '',
          autogeneratePattern: '',
        },
        autodate('created', false),
        autodate('updated', true),
      ],
      listRule: 'id = @request.auth.id',
      viewRule: 'id = @request.auth.id',
      createRule: '',
      updateRule: 'id = @request.auth.id',
      deleteRule: null,
    });
    await su.collections.create({
      id: 'pbc_1736455494',
      name: 'notes',
      type: 'base',
      fields: [
        PB_ID_FIELD,
        { name: 'title', type: 'text', required: true, system: false, presentable: true, min: 0, max: 0 },
        {
          id: 'relation3479234172',
          name: 'owner',
          type: 'relation',
          collectionId: '_pb_members_auth_',
          cascadeDelete: true,
          minSelect: 0,
          maxSelect: 1,
          required: false,
          system: false,
          hidden: false,
          presentable: false,
        },
        { name: 'parents', type: 'relation', collectionId: 'pbc_1736455494', maxSelect: 5, system: false },
        { name: 'doc', type: 'file', maxSelect: 1, maxSize: 0, mimeTypes: null, thumbs: null, system: false },
        { name: 'count', type: 'number', noDecimal: true, min: null, max: null, system: false },
      ],
      listRule: 'owner = @request.auth.id',
      viewRule: 'owner = @request.auth.id',
      createRule: "@request.auth.id != '' && owner = @request.auth.id",
      updateRule: 'owner = @request.auth.id',
      deleteRule: 'owner = @request.auth.id',
    });
  });
  afterAll(async () => {
    await t?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function member(nick: string) {
    const pb = client();
    const email = `${nick}-${Date.now()}@example.com`;
    const created = await pb
      .collection('members')
      .create({ email, password, passwordConfirm: password, nick });
    const auth = await pb.collection('members').authWithPassword(email, password);
    return { pb, id: created.id as string, email, auth };
  }

  it("keeps PocketBase's collection ids and answers the id field first, in PocketBase's shape", async () => {
    const members = await su.collections.getOne('_pb_members_auth_');
    expect(members.id).toBe('_pb_members_auth_');
    expect(members.name).toBe('members');
    expect(members.fields[0]).toMatchObject({ ...PB_ID_FIELD });
    expect(members.fields.map((f: { name: string }) => f.name)).toEqual(['id', 'nick']);
    const notes = await su.collections.getOne('notes');
    expect(notes.id).toBe('pbc_1736455494');
    expect(notes.fields.find((f: { name: string }) => f.name === 'owner')).toMatchObject({
      type: 'relation',
      collection: 'members',
      onDelete: 'cascade',
      maxSelect: 1,
    });
    expect(notes.fields.find((f: { name: string }) => f.name === 'count')).toMatchObject({ onlyInt: true });
    // The table's id column is text.
    const res = await api(t, await adminToken(t))('POST', '/api/collections/notes/records', {
      title: 'by admin',
    });
    expect(res.status).toBe(200);
    expect(res.body.id).toMatch(TEXT_ID);
  });

  it('signs a member of a text-id auth collection up, in and refreshes, by collection id or name', async () => {
    const { pb, id, auth } = await member('ann');
    expect(id).toMatch(TEXT_ID);
    expect(auth.record).toMatchObject({ id, collectionId: '_pb_members_auth_', collectionName: 'members' });
    const refreshed = await pb.collection('_pb_members_auth_').authRefresh();
    expect(refreshed.record.id).toBe(id);
    const me = await pb.collection('members').getOne(id);
    expect(me).toMatchObject({ id, nick: 'ann' });
    const other = await member('bob');
    expect((await sdkError(pb.collection('members').getOne(other.id))).status).toBe(404);
    await pb.collection('members').update(id, { nick: 'ann2' });
    expect((await pb.collection('members').getOne(id)).nick).toBe('ann2');
  });

  it('creates, relates, expands, filters by id and serves files of text-id records', async () => {
    const { pb, id: owner } = await member('cat');
    const first = await pb.collection('notes').create({
      title: 'first',
      owner,
      doc: new File([PNG_1X1], 'dot.png', { type: 'image/png' }),
    });
    expect(first.id).toMatch(TEXT_ID);
    const chosen = await pb.collection('pbc_1736455494').create({
      id: 'chosen0note0001',
      title: 'second',
      owner,
      parents: [first.id],
    });
    expect(chosen.id).toBe('chosen0note0001');

    const taken = await sdkError(pb.collection('notes').create({ id: 'chosen0note0001', title: 'x', owner }));
    expect(taken.status).toBe(409);
    const bad = await sdkError(pb.collection('notes').create({ id: 'Not-Valid', title: 'x', owner }));
    expect(bad.status).toBe(400);
    expect(errorPaths(bad.response)).toEqual(['id']);
    const dangling = await sdkError(
      pb.collection('notes').create({ title: 'x', owner, parents: ['nosuchnote0000'] }),
    );
    expect(dangling.status).toBe(400);

    const expanded = await pb.collection('notes').getOne(chosen.id, { expand: 'owner,parents' });
    expect(expanded.expand?.owner).toMatchObject({ id: owner, nick: 'cat' });
    expect(expanded.expand?.parents.map((p: { id: string }) => p.id)).toEqual([first.id]);

    expect(
      (await pb.collection('notes').getFullList({ filter: `id = "${first.id}"` })).map((n) => n.id),
    ).toEqual([first.id]);
    const byParent = await pb.collection('notes').getFullList({ filter: `parents ?= "${first.id}"` });
    expect(byParent.map((n) => n.id)).toEqual([chosen.id]);
    const byOwner = await pb
      .collection('notes')
      .getFullList({ filter: `owner.nick = "cat"`, sort: 'created' });
    expect(byOwner.map((n) => n.id)).toEqual([first.id, chosen.id]);

    const headers = { Authorization: pb.authStore.token };
    const file = await fetch(pb.files.getURL(first, first.doc), { headers });
    expect(file.status).toBe(200);
    expect(Buffer.from(await file.arrayBuffer())).toEqual(PNG_1X1);
    const byId = await fetch(`${t.url}/api/files/pbc_1736455494/${first.id}/${first.doc}`, { headers });
    expect(byId.status).toBe(200);

    const stranger = await member('dan');
    expect((await sdkError(stranger.pb.collection('notes').getOne(first.id))).status).toBe(404);

    await pb.collection('notes').delete(chosen.id);
    expect((await sdkError(pb.collection('notes').getOne(chosen.id))).status).toBe(404);
  });

  it('delivers realtime events on text-id record topics', async () => {
    const { pb, id: owner } = await member('eve');
    const note = await pb.collection('notes').create({ title: 'live', owner });
    const seen: Array<{ action: string; record: { id: string; title: string } }> = [];
    const unsubscribe = await pb.collection('notes').subscribe(note.id, (e) => {
      seen.push(e as never);
    });
    try {
      await pb.collection('notes').update(note.id, { title: 'changed' });
      await eventually(() => seen.some((e) => e.action === 'update' && e.record.title === 'changed'));
      expect(seen[0]!.record.id).toBe(note.id);
    } finally {
      await unsubscribe();
      pb.realtime.unsubscribe();
    }
  });

  it('keeps the collection ids of pb.collections.import, and deleteMissing deletes what the file leaves out', async () => {
    const before = await su.collections.getFullList();
    const authors = {
      id: 'pbc_2000000001',
      name: 'authors',
      type: 'base',
      fields: [PB_ID_FIELD, { name: 'name', type: 'text', system: false }],
      listRule: '',
    };
    const books = {
      id: 'pbc_2000000002',
      name: 'books',
      type: 'base',
      fields: [
        PB_ID_FIELD,
        { name: 'title', type: 'text', system: false },
        // The relation names its target by id, as PocketBase's export does; its default is a text id.
        {
          name: 'author',
          type: 'relation',
          collectionId: 'pbc_2000000001',
          maxSelect: 1,
          system: false,
          default: 'anon00author000',
        },
      ],
      listRule: '',
    };
    const stats = {
      id: 'pbc_2000000003',
      name: 'author_stats',
      type: 'view',
      viewQuery:
        'SELECT a.id, count(b.id) AS books FROM authors a LEFT JOIN books b ON b.author = a.id GROUP BY a.id',
      listRule: '',
    };
    // The SDK answers true; the view comes before the collections it reads in the file.
    expect(await su.collections.import(asFile([...before, stats, books, authors]), false)).toBe(true);
    expect((await su.collections.getOne('authors')).id).toBe('pbc_2000000001');
    expect((await su.collections.getOne('pbc_2000000002')).name).toBe('books');
    expect((await su.collections.getOne('author_stats')).id).toBe('pbc_2000000003');
    const author = await su.collection('pbc_2000000001').create({ id: 'anon00author000', name: 'Ann' });
    const book = await su.collection('books').create({ title: 'One' });
    expect(book.author).toBe(author.id);
    // A batch takes the text id too; filters and expand follow the relation by it.
    const batch = su.createBatch();
    batch.collection('books').create({ title: 'Two', author: author.id });
    await batch.send();
    const listed = await su
      .collection('books')
      .getFullList({ filter: `author = "${author.id}"`, expand: 'author', sort: 'title' });
    expect(listed.map((b) => [b.title, b.expand?.author?.name])).toEqual([
      ['One', 'Ann'],
      ['Two', 'Ann'],
    ]);
    expect(await su.collection('books').getFullList({ filter: 'author.name = "Ann"' })).toHaveLength(2);

    // Importing the same file again changes nothing; an id taken by another collection's name is refused by its path.
    expect(await su.collections.import(asFile([...before, stats, books, authors]), false)).toBe(true);
    const taken = await sdkError(
      su.collections.import(
        asFile([...before, { id: 'members', name: 'dup', type: 'base', fields: [] }]),
        false,
      ),
    );
    expect(taken.status).toBe(409);
    expect(errorPaths(taken.response)).toEqual([`collections.${before.length}.id`]);
    const badId = await sdkError(
      su.collections.import(asFile([{ id: 'no/slash', name: 'slashed', type: 'base', fields: [] }]), false),
    );
    expect(errorPaths(badId.response)).toEqual(['collections.0.id']);

    // deleteMissing: what the file leaves out goes (the view first), the rest keeps its ids and records.
    expect(await su.collections.import(asFile([...before, authors]), true)).toBe(true);
    const names = (await su.collections.getFullList()).map((c) => c.name);
    expect(names).not.toContain('books');
    expect(names).not.toContain('author_stats');
    expect((await su.collection('pbc_2000000001').getOne(author.id)).name).toBe('Ann');

    // Without deleteMissing a field the file leaves out stays, values and all (PocketBase's import);
    // with it, the file's fields are the whole list.
    const bioOnly = { ...authors, fields: [PB_ID_FIELD, { name: 'bio', type: 'text', system: false }] };
    expect(await su.collections.import(asFile([bioOnly]), false)).toBe(true);
    const fieldNames = async () => (await su.collections.getOne('authors')).fields.map((f) => f.name);
    expect(await fieldNames()).toEqual(['id', 'bio', 'name']);
    expect((await su.collection('authors').getOne(author.id)).name).toBe('Ann');
    expect(await su.collections.import(asFile([...before, bioOnly]), true)).toBe(true);
    expect(await fieldNames()).toEqual(['id', 'bio']);
  });

  it('refuses what it cannot honour, by name, and a switch of an existing collection to text ids', async () => {
    const err = await sdkError(
      su.collections.create({
        name: 'limited',
        fields: [
          PB_ID_FIELD,
          { name: 'mail', type: 'email', onlyDomains: ['example.com'], system: false },
          { name: 'sys', type: 'text', system: true },
        ],
      }),
    );
    expect(err.status).toBe(400);
    expect(errorPaths(err.response)).toEqual(['fields.1.onlyDomains', 'fields.2.system']);

    const badId = await sdkError(su.collections.create({ id: 'no/slash', name: 'slashed', fields: [] }));
    expect(errorPaths(badId.response)).toEqual(['id']);

    const switched = await sdkError(su.collections.update('users', { fields: [PB_ID_FIELD] }));
    expect(switched.status).toBe(400);
    expect((await su.collections.getOne('users')).fields[0]?.name).not.toBe('id');
  });
});
