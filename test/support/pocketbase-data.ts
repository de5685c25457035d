import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import initSqlJs from 'sql.js';

/**
 * A PocketBase (0.23+) data directory made with the tables and JSON shapes PocketBase's migrations
 * create: an auth `users` and a base `posts` (every common field type, a relation, a file), superusers,
 * external auths and settings. Ids are PocketBase's 15-character text ids, or UUIDs.
 */
export interface GeneratedPb {
  dir: string;
  users: Array<{ id: string; email: string }>;
  posts: Array<{ id: string; title: string; author: string; cover: string }>;
}

const HASH_1234567890 = '$2a$13$RC6/uXsHWM1ZV1v0cPJLRuWPXxyNINDmUDIHTq1x1dM.K.TBgWzFK';
const pbId = () => {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(15)].map((b) => alphabet[b % alphabet.length]).join('');
};

const idField = {
  autogeneratePattern: '[a-z0-9]{15}',
  hidden: false,
  id: 'text3208210256',
  max: 15,
  min: 15,
  name: 'id',
  pattern: '^[a-z0-9]+$',
  presentable: false,
  primaryKey: true,
  required: true,
  system: true,
  type: 'text',
};
const auto = (name: string, onUpdate: boolean) => ({
  hidden: false,
  id: `autodate_${name}`,
  name,
  onCreate: true,
  onUpdate,
  presentable: false,
  system: false,
  type: 'autodate',
});
const authFields = [
  {
    cost: 10,
    hidden: true,
    id: 'password901924565',
    max: 0,
    min: 8,
    name: 'password',
    pattern: '',
    presentable: false,
    required: true,
    system: true,
    type: 'password',
  },
  {
    autogeneratePattern: '[a-zA-Z0-9]{50}',
    hidden: true,
    id: 'text2504183744',
    max: 60,
    min: 30,
    name: 'tokenKey',
    pattern: '',
    presentable: false,
    primaryKey: false,
    required: true,
    system: true,
    type: 'text',
  },
  {
    exceptDomains: null,
    hidden: false,
    id: 'email3885137012',
    name: 'email',
    onlyDomains: null,
    presentable: false,
    required: true,
    system: true,
    type: 'email',
  },
  {
    hidden: false,
    id: 'bool1547992806',
    name: 'emailVisibility',
    presentable: false,
    required: false,
    system: true,
    type: 'bool',
  },
  {
    hidden: false,
    id: 'bool256245529',
    name: 'verified',
    presentable: false,
    required: false,
    system: true,
    type: 'bool',
  },
];

export async function generatePbData(opts: {
  dir: string;
  users: number;
  posts: number;
  ids: 'pb' | 'uuid';
}): Promise<GeneratedPb> {
  const SQL = await initSqlJs();
  const db = new SQL.Database();
  const newId = opts.ids === 'pb' ? pbId : randomUUID;
  const usersId = opts.ids === 'pb' ? '_pb_users_auth_' : randomUUID();
  const postsId = opts.ids === 'pb' ? 'pbc_1125843985' : randomUUID();
  const now = '2024-05-01 10:00:00.000Z';
  db.run(`CREATE TABLE _collections (id TEXT PRIMARY KEY, system BOOLEAN DEFAULT FALSE NOT NULL, type TEXT DEFAULT "base" NOT NULL,
    name TEXT UNIQUE NOT NULL, fields JSON DEFAULT "[]" NOT NULL, listRule TEXT DEFAULT NULL, viewRule TEXT DEFAULT NULL,
    createRule TEXT DEFAULT NULL, updateRule TEXT DEFAULT NULL, deleteRule TEXT DEFAULT NULL, options JSON DEFAULT "{}" NOT NULL,
    created TEXT DEFAULT "" NOT NULL, updated TEXT DEFAULT "" NOT NULL, indexes JSON DEFAULT "[]" NOT NULL)`);
  const addCollection = (c: Record<string, unknown>) =>
    db.run(
      'INSERT INTO _collections (id, system, type, name, fields, listRule, viewRule, createRule, updateRule, deleteRule, options, created, updated, indexes) VALUES (?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [
        c.id as string,
        c.type as string,
        c.name as string,
        JSON.stringify(c.fields),
        c.listRule as string,
        c.viewRule as string,
        c.createRule as string,
        c.updateRule as string,
        c.deleteRule as string,
        JSON.stringify(c.options ?? {}),
        now,
        now,
        JSON.stringify(c.indexes ?? []),
      ],
    );
  addCollection({
    id: usersId,
    type: 'auth',
    name: 'users',
    fields: [
      idField,
      ...authFields,
      {
        autogeneratePattern: '',
        hidden: false,
        id: 'text1579384326',
        max: 255,
        min: 0,
        name: 'name',
        pattern: '',
        presentable: false,
        primaryKey: false,
        required: false,
        system: false,
        type: 'text',
      },
      auto('created', false),
      auto('updated', true),
    ],
    listRule: 'id = @request.auth.id',
    viewRule: 'id = @request.auth.id',
    createRule: '',
    updateRule: 'id = @request.auth.id',
    deleteRule: 'id = @request.auth.id',
    options: {
      authRule: '',
      manageRule: null,
      passwordAuth: { enabled: true, identityFields: ['email'] },
      mfa: { enabled: false, duration: 1800, rule: '' },
      otp: { enabled: false, duration: 180, length: 8 },
      authToken: { duration: 604800 },
      oauth2: { enabled: false, providers: [], mappedFields: {} },
    },
    indexes: [
      'CREATE UNIQUE INDEX `idx_tokenKey_users` ON `users` (`tokenKey`)',
      "CREATE UNIQUE INDEX `idx_email_users` ON `users` (`email`) WHERE `email` != ''",
    ],
  });
  addCollection({
    id: postsId,
    type: 'base',
    name: 'posts',
    fields: [
      idField,
      {
        autogeneratePattern: '',
        hidden: false,
        id: 'text724990059',
        max: 200,
        min: 0,
        name: 'title',
        pattern: '',
        presentable: false,
        primaryKey: false,
        required: true,
        system: false,
        type: 'text',
      },
      {
        hidden: false,
        id: 'number1',
        max: null,
        min: 0,
        name: 'views',
        onlyInt: true,
        presentable: false,
        required: false,
        system: false,
        type: 'number',
      },
      {
        hidden: false,
        id: 'bool1',
        name: 'live',
        presentable: false,
        required: false,
        system: false,
        type: 'bool',
      },
      {
        hidden: false,
        id: 'date1',
        max: '',
        min: '',
        name: 'published',
        presentable: false,
        required: false,
        system: false,
        type: 'date',
      },
      {
        hidden: false,
        id: 'select1',
        maxSelect: 3,
        name: 'tags',
        presentable: false,
        required: false,
        system: false,
        type: 'select',
        values: ['a', 'b', 'c'],
      },
      {
        hidden: false,
        id: 'json1',
        maxSize: 0,
        name: 'meta',
        presentable: false,
        required: false,
        system: false,
        type: 'json',
      },
      {
        cascadeDelete: true,
        collectionId: usersId,
        hidden: false,
        id: 'relation1',
        maxSelect: 1,
        minSelect: 0,
        name: 'author',
        presentable: false,
        required: false,
        system: false,
        type: 'relation',
      },
      {
        hidden: false,
        id: 'file1',
        maxSelect: 1,
        maxSize: 0,
        mimeTypes: [],
        name: 'cover',
        presentable: false,
        protected: false,
        required: false,
        system: false,
        thumbs: ['100x100'],
        type: 'file',
      },
      auto('created', false),
      auto('updated', true),
    ],
    listRule: 'live = true || author = @request.auth.id',
    viewRule: 'live = true || author = @request.auth.id',
    createRule: '@request.auth.id != ""',
    updateRule: 'author = @request.auth.id',
    deleteRule: null,
    indexes: ['CREATE INDEX `idx_posts_views` ON `posts` (`views`)'],
  });
  db.run(`CREATE TABLE users (created TEXT DEFAULT '' NOT NULL, email TEXT DEFAULT '' NOT NULL, emailVisibility BOOLEAN DEFAULT FALSE NOT NULL,
    id TEXT PRIMARY KEY, name TEXT DEFAULT '', password TEXT NOT NULL, tokenKey TEXT NOT NULL, updated TEXT DEFAULT '' NOT NULL, verified BOOLEAN DEFAULT FALSE NOT NULL)`);
  db.run(`CREATE TABLE posts (id TEXT PRIMARY KEY, title TEXT DEFAULT '', views NUMERIC DEFAULT 0, live BOOLEAN DEFAULT FALSE,
    published TEXT DEFAULT '', tags JSON DEFAULT '[]', meta JSON DEFAULT NULL, author TEXT DEFAULT '', cover TEXT DEFAULT '',
    created TEXT DEFAULT '' NOT NULL, updated TEXT DEFAULT '' NOT NULL)`);
  db.run(`CREATE TABLE _superusers (created TEXT DEFAULT '' NOT NULL, email TEXT DEFAULT '' NOT NULL, emailVisibility BOOLEAN DEFAULT FALSE NOT NULL,
    id TEXT PRIMARY KEY NOT NULL, password TEXT DEFAULT '' NOT NULL, tokenKey TEXT DEFAULT '' NOT NULL, updated TEXT DEFAULT '' NOT NULL, verified BOOLEAN DEFAULT FALSE NOT NULL)`);
  db.run(`CREATE TABLE _externalAuths (collectionRef TEXT DEFAULT '' NOT NULL, created TEXT DEFAULT '' NOT NULL, id TEXT PRIMARY KEY NOT NULL,
    provider TEXT DEFAULT '' NOT NULL, providerId TEXT DEFAULT '' NOT NULL, recordRef TEXT DEFAULT '' NOT NULL, updated TEXT DEFAULT '' NOT NULL)`);
  db.run(
    `CREATE TABLE _params (created TEXT DEFAULT '' NOT NULL, id TEXT PRIMARY KEY NOT NULL, updated TEXT DEFAULT '' NOT NULL, value JSON DEFAULT NULL)`,
  );
  db.run('INSERT INTO _params VALUES (?, ?, ?, ?)', [
    now,
    'settings',
    now,
    JSON.stringify({
      meta: { appName: 'generated', appURL: 'http://localhost:8090' },
      smtp: { enabled: false },
    }),
  ]);
  db.run('INSERT INTO _superusers VALUES (?, ?, 0, ?, ?, ?, ?, 1)', [
    now,
    'root@example.com',
    pbId(),
    HASH_1234567890,
    pbId() + pbId(),
    now,
  ]);

  const out: GeneratedPb = { dir: opts.dir, users: [], posts: [] };
  db.run('BEGIN');
  const user = db.prepare('INSERT INTO users VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
  for (let i = 0; i < opts.users; i++) {
    const id = newId();
    const email = `user${i}@example.com`;
    user.run([now, email, i % 2, id, `User ${i}`, HASH_1234567890, pbId() + pbId() + pbId(), now, 1]);
    out.users.push({ id, email });
  }
  user.free();
  if (out.users[0])
    db.run('INSERT INTO _externalAuths VALUES (?, ?, ?, ?, ?, ?, ?)', [
      usersId,
      now,
      pbId(),
      'google',
      'g-123',
      out.users[0].id,
      now,
    ]);
  const post = db.prepare('INSERT INTO posts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  const storage = join(opts.dir, 'storage', postsId);
  for (let i = 0; i < opts.posts; i++) {
    const id = newId();
    const author = out.users.length ? out.users[i % out.users.length]!.id : '';
    const cover = i < 3 ? `cover_${pbId().slice(0, 10)}.txt` : '';
    if (cover) {
      mkdirSync(join(storage, id), { recursive: true });
      writeFileSync(join(storage, id, cover), `cover of post ${i}\n`);
    }
    const title = `Post ${i}`;
    post.run([
      id,
      title,
      i,
      i % 2,
      i % 3 ? '2024-01-02 03:04:05.678Z' : '',
      JSON.stringify(i % 2 ? ['a', 'c'] : []),
      i % 4 ? JSON.stringify({ n: i, tags: ['x'] }) : null,
      author,
      cover,
      now,
      now,
    ]);
    out.posts.push({ id, title, author, cover });
  }
  post.free();
  db.run('COMMIT');
  mkdirSync(opts.dir, { recursive: true });
  writeFileSync(join(opts.dir, 'data.db'), db.export());
  db.close();
  return out;
}
