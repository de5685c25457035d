/**
 * Peak memory of the PocketBase import on a large data.db (issue 19; docs/decisions/pocketbase-import.md).
 *
 *   node bench/pocketbase-import-memory.mjs --mb 400 [--dir bench/.tmp/pbmem] [--import]
 *
 * 1. Generates `<dir>/pb_data/data.db` of about --mb megabytes on disk (PocketBase 0.23 tables and
 *    `_collections` JSON: an auth `users` and a base `posts` whose `body` is 2 KB of text per record),
 *    written page by page with node-sqlite3-wasm, so the generator itself stays small.
 * 2. Reads every record of it the way the import does, in a child process each, and prints the peak
 *    RSS (VmHWM): with sql.js (the whole file in its heap, the import's reader before) and with
 *    node-sqlite3-wasm (pages read through node:fs into a 16 MiB page cache, the reader now).
 * 3. With --import: the whole command, `node dist/apps/server/cli.js import pocketbase <dir>`, into a
 *    fresh database on the local PostgreSQL (BENCH_PG_URL, as bench/run.mjs), under /usr/bin/time -v.
 *    Needs `node scripts/build.mjs` first and Redis on 127.0.0.1:6379.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import pg from 'pg';

const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const ROOT = resolve(import.meta.dirname, '..');
const dir = resolve(opt('dir', join(ROOT, 'bench/.tmp/pbmem')));
const megabytes = Number(opt('mb', '400'));
const BODY = 2048;

const pbId = () => {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(15)].map((b) => alphabet[b % alphabet.length]).join('');
};
const text = (id, name, extra = {}) => ({
  autogeneratePattern: '',
  hidden: false,
  id,
  max: 0,
  min: 0,
  name,
  pattern: '',
  presentable: false,
  primaryKey: false,
  required: false,
  system: false,
  type: 'text',
  ...extra,
});
const idField = text('text3208210256', 'id', {
  autogeneratePattern: '[a-z0-9]{15}',
  max: 15,
  min: 15,
  pattern: '^[a-z0-9]+$',
  primaryKey: true,
  required: true,
  system: true,
});
const auto = (name, onUpdate) => ({
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
  text('text2504183744', 'tokenKey', {
    autogeneratePattern: '[a-zA-Z0-9]{50}',
    hidden: true,
    max: 60,
    min: 30,
    required: true,
    system: true,
  }),
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

function generate(file, posts) {
  const { Database } = require('node-sqlite3-wasm');
  rmSync(file, { force: true });
  const db = new Database(file);
  const now = '2024-05-01 10:00:00.000Z';
  db.exec(`CREATE TABLE _collections (id TEXT PRIMARY KEY, system BOOLEAN DEFAULT FALSE NOT NULL, type TEXT DEFAULT "base" NOT NULL,
    name TEXT UNIQUE NOT NULL, fields JSON DEFAULT "[]" NOT NULL, listRule TEXT DEFAULT NULL, viewRule TEXT DEFAULT NULL,
    createRule TEXT DEFAULT NULL, updateRule TEXT DEFAULT NULL, deleteRule TEXT DEFAULT NULL, options JSON DEFAULT "{}" NOT NULL,
    created TEXT DEFAULT "" NOT NULL, updated TEXT DEFAULT "" NOT NULL, indexes JSON DEFAULT "[]" NOT NULL)`);
  const add = (c) =>
    db.run('INSERT INTO _collections VALUES (?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)', [
      c.id,
      c.type,
      c.name,
      JSON.stringify(c.fields),
      c.rule,
      c.rule,
      '',
      c.rule,
      null,
      JSON.stringify(c.options ?? {}),
      now,
      now,
      JSON.stringify(c.indexes ?? []),
    ]);
  add({
    id: '_pb_users_auth_',
    type: 'auth',
    name: 'users',
    fields: [
      idField,
      ...authFields,
      text('text1579384326', 'name'),
      auto('created', false),
      auto('updated', true),
    ],
    rule: 'id = @request.auth.id',
    options: {
      authRule: '',
      manageRule: null,
      passwordAuth: { enabled: true, identityFields: ['email'] },
      mfa: { enabled: false, duration: 1800, rule: '' },
      otp: { enabled: false, duration: 180, length: 8 },
      authToken: { duration: 604800 },
      oauth2: { enabled: false, providers: [], mappedFields: {} },
    },
  });
  add({
    id: 'pbc_1125843985',
    type: 'base',
    name: 'posts',
    fields: [
      idField,
      text('text724990059', 'title', { max: 200, required: true }),
      text('text724990060', 'body'),
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
        cascadeDelete: true,
        collectionId: '_pb_users_auth_',
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
      auto('created', false),
      auto('updated', true),
    ],
    rule: 'author = @request.auth.id',
  });
  db.exec(`CREATE TABLE users (created TEXT DEFAULT '' NOT NULL, email TEXT DEFAULT '' NOT NULL, emailVisibility BOOLEAN DEFAULT FALSE NOT NULL,
    id TEXT PRIMARY KEY, name TEXT DEFAULT '', password TEXT NOT NULL, tokenKey TEXT NOT NULL, updated TEXT DEFAULT '' NOT NULL, verified BOOLEAN DEFAULT FALSE NOT NULL)`);
  db.exec(`CREATE TABLE posts (id TEXT PRIMARY KEY, title TEXT DEFAULT '', body TEXT DEFAULT '', views NUMERIC DEFAULT 0,
    author TEXT DEFAULT '', created TEXT DEFAULT '' NOT NULL, updated TEXT DEFAULT '' NOT NULL)`);
  const hash = '$2a$13$RC6/uXsHWM1ZV1v0cPJLRuWPXxyNINDmUDIHTq1x1dM.K.TBgWzFK';
  const users = [];
  db.exec('BEGIN');
  for (let i = 0; i < 1000; i++) {
    const id = pbId();
    users.push(id);
    db.run('INSERT INTO users VALUES (?, ?, 0, ?, ?, ?, ?, ?, 1)', [
      now,
      `user${i}@example.com`,
      id,
      `User ${i}`,
      hash,
      pbId() + pbId() + pbId(),
      now,
    ]);
  }
  const insert = db.prepare('INSERT INTO posts VALUES (?, ?, ?, ?, ?, ?, ?)');
  for (let i = 0; i < posts; i++) {
    insert.run([
      pbId(),
      `Post ${i}`,
      randomBytes(BODY / 2).toString('hex'),
      i % 1000,
      users[i % users.length],
      now,
      now,
    ]);
    if (i % 50000 === 49999) {
      db.exec('COMMIT');
      db.exec('BEGIN');
    }
  }
  insert.finalize();
  db.exec('COMMIT');
  db.close();
}

/** Reads every row of posts as the import does, in this process; prints peak RSS in MiB. */
async function readAll(file, how) {
  let rows = 0;
  if (how === 'sqljs') {
    const { readFileSync } = await import('node:fs');
    const initSqlJs = (await import('sql.js')).default;
    const SQL = await initSqlJs();
    const db = new SQL.Database(readFileSync(file));
    db.exec('PRAGMA quick_check');
    const stmt = db.prepare('SELECT * FROM posts ORDER BY rowid');
    while (stmt.step()) {
      stmt.getAsObject();
      rows++;
    }
    stmt.free();
    db.close();
  } else if (how === 'baseline') {
    // The same modules as "paged" (Plinth's core comes along), nothing read: the constant part.
    await import(join(ROOT, 'dist/apps/server/pocketbase-import/pb-reader.js'));
  } else {
    const { PbReader } = await import(join(ROOT, 'dist/apps/server/pocketbase-import/pb-reader.js'));
    const reader = await PbReader.open(file);
    for (const batch of reader.batches('posts', 1000)) rows += batch.length;
    reader.close();
  }
  const status = (await import('node:fs')).readFileSync('/proc/self/status', 'utf8');
  const hwm = Number(/VmHWM:\s+(\d+)/.exec(status)[1]) / 1024;
  process.stdout.write(JSON.stringify({ how, rows, peakRssMiB: Math.round(hwm) }) + '\n');
}

const child = (how, file) => {
  const r = spawnSync(process.execPath, [import.meta.filename, '--child', how, file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').at(-1));
};

async function main() {
  if (args[0] === '--child') return readAll(args[2], args[1]);
  const pbData = join(dir, 'pb_data');
  const file = join(pbData, 'data.db');
  mkdirSync(pbData, { recursive: true });
  const posts = Math.round((megabytes * 1024 * 1024) / (BODY + 150));
  if (!existsSync(file) || Math.abs(statSync(file).size / 1048576 - megabytes) > megabytes * 0.2) {
    const t0 = Date.now();
    generate(file, posts);
    console.log(
      `generated ${file}: ${posts} posts, ${(statSync(file).size / 1048576).toFixed(0)} MiB in ${((Date.now() - t0) / 1000).toFixed(0)} s`,
    );
  }
  const size = (statSync(file).size / 1048576).toFixed(0);
  const label = {
    baseline: 'no reading (PbReader loaded)',
    paged: 'node-sqlite3-wasm (paged, PbReader)',
    sqljs: 'sql.js (whole file)',
  };
  for (const how of ['baseline', 'paged', 'sqljs']) {
    const t0 = Date.now();
    const r = child(how, file);
    console.log(
      `read ${r.rows} posts of a ${size} MiB data.db with ${label[how]}: peak RSS ${r.peakRssMiB} MiB, ${((Date.now() - t0) / 1000).toFixed(0)} s`,
    );
  }
  if (!args.includes('--import')) return;
  const adminUrl = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `plinth_pbmem_${Date.now()}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  try {
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    const t0 = Date.now();
    const r = spawnSync(
      '/usr/bin/time',
      ['-v', process.execPath, join(ROOT, 'dist/apps/server/cli.js'), 'import', 'pocketbase', pbData],
      {
        encoding: 'utf8',
        env: {
          ...process.env,
          DATABASE_URL: url.toString(),
          REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
          PLINTH_REDIS_PREFIX: name,
          PLINTH_SECRET: 'bench-secret-bench-secret-bench-secret-1234',
          PLINTH_DATA_DIR: join(dir, 'plinth'),
          LOG_LEVEL: 'warn',
        },
      },
    );
    const peak = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1];
    if (r.status !== 0) console.log(r.stdout, r.stderr);
    console.log(
      `whole import command (exit ${r.status}): ${((Date.now() - t0) / 1000).toFixed(0)} s, peak RSS ${peak ? Math.round(Number(peak) / 1024) : '?'} MiB`,
    );
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

await main();
