import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { adminToken, api } from '../support/auth.js';
import {
  createCollection,
  createKey,
  createRecord,
  createUser,
  ids,
  listRecords,
  ok,
  type TestUser,
} from '../support/records.js';
import { startIsolatedApp } from '../support/start-app.js';

type App = Awaited<ReturnType<typeof startIsolatedApp>>;

/**
 * Issue 16 item 4: an API key reads only the collections its scopes name. A filter through a relation
 * must not let it read another collection one guess at a time (`author.email ~ 'alice@'`), and a
 * `push:send` key's target filter must not spell out addresses the users hid.
 */
describe('API keys cannot read other collections through filters', () => {
  let t: App;
  let admin: string;
  let alice: TestUser;
  let bob: TestUser;
  let post: { id: string };
  const keys = {} as Record<'posts' | 'postsAndUsers' | 'admin' | 'push' | 'pushAndUsers', string>;

  beforeAll(async () => {
    t = await startIsolatedApp();
    admin = await adminToken(t);
    alice = await createUser(t, 'Alice');
    bob = await createUser(t, 'Bob');
    // Bob shows his address to everyone; Alice does not (the default).
    ok(await api(t, admin)('PATCH', `/api/collections/users/records/${bob.id}`, { emailVisibility: true }));
    await createCollection(t, admin, {
      name: 'posts',
      fields: [
        { name: 'title', type: 'text' },
        { name: 'author', type: 'relation', collection: 'users', maxSelect: 1 },
      ],
      listRule: '',
      viewRule: '',
    });
    post = await createRecord(t, admin, 'posts', { title: 'hello', author: alice.id });
    keys.posts = await createKey(t, admin, ['posts:read']);
    keys.postsAndUsers = await createKey(t, admin, ['posts:read', 'users:read']);
    keys.admin = await createKey(t, admin, ['admin']);
    keys.push = await createKey(t, admin, ['push:send']);
    keys.pushAndUsers = await createKey(t, admin, ['push:send', 'users:read']);
    for (const user of [alice, bob]) {
      ok(
        await api(t, user.token)('POST', '/api/push/devices', {
          platform: 'fcm',
          token: `fcm-token-${user.id}-abcdefghijklmnop`,
        }),
      );
    }
  });
  afterAll(async () => {
    await t?.stop();
  });

  const posts = async (key: string, filter: string) => ids(await listRecords(t, key, 'posts', { filter }));

  it('a key without read scope on the related collection sees no related record', async () => {
    // The key may not read users directly...
    expect((await listRecords(t, keys.posts, 'users')).status).toBe(403);
    // ...so a right guess and a wrong one answer the same: no related record is visible.
    const prefix = alice.email.slice(0, alice.email.indexOf('@') + 1);
    expect(await posts(keys.posts, `author.email ~ '${prefix}'`)).toEqual([]);
    expect(await posts(keys.posts, `author.email ~ 'nobody@'`)).toEqual([]);
    expect(await posts(keys.posts, `author.name = 'Alice'`)).toEqual([]);
    expect(await posts(keys.posts, `author.id = '${alice.id}'`)).toEqual([]);
    // As with a missing related record, the negative operators hold whatever the guess.
    expect(await posts(keys.posts, `author.email !~ '${prefix}'`)).toEqual([post.id]);
    expect(await posts(keys.posts, `author.email !~ 'nobody@'`)).toEqual([post.id]);
    // The relation's own column is the post's: filtering by the id it holds stays allowed.
    expect(await posts(keys.posts, `author = '${alice.id}'`)).toEqual([post.id]);
    // Nor does the key expand what it cannot read.
    const expanded = ok(await listRecords(t, keys.posts, 'posts', { expand: 'author' })).body;
    expect(expanded.items[0].expand).toBeUndefined();
  });

  it('a key with read scope on both collections, and an admin key, filter through the relation', async () => {
    for (const key of [keys.postsAndUsers, keys.admin]) {
      expect(await posts(key, `author.email = '${alice.email}'`)).toEqual([post.id]);
      expect(await posts(key, `author.name = 'Alice'`)).toEqual([post.id]);
      expect(await posts(key, `author.email = '${bob.email}'`)).toEqual([]);
    }
  });

  describe('push:send target filters', () => {
    const targeted = async (key: string, filter: string): Promise<number> => {
      const sent = ok(
        await api(t, key)('POST', '/api/push/send', {
          targets: { filter },
          notification: { title: 'probe' },
        }),
        202,
      ).body;
      return ok(await api(t, key)('GET', `/api/push/messages/${sent.id}`)).body.counts.total;
    };

    it('see an email only where the user made it visible, unless the key may read users', async () => {
      expect(await targeted(keys.push, `email = '${alice.email}'`)).toBe(0);
      expect(await targeted(keys.push, `email ~ '${alice.email.slice(0, 8)}'`)).toBe(0);
      expect(await targeted(keys.push, `email = '${bob.email}'`)).toBe(1);
      // Other fields target as before.
      expect(await targeted(keys.push, `name = 'Alice'`)).toBe(1);
      for (const key of [keys.pushAndUsers, keys.admin]) {
        expect(await targeted(key, `email = '${alice.email}'`)).toBe(1);
      }
    });
  });
});
