// Databases, schemas, accounts and seed data for both servers.
/* global fetch, AbortSignal, clearTimeout */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { makeRow, scaleSeedSql } from './data.mjs';

export const PG_ADMIN_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = 'redis://127.0.0.1:6379';

export function dbUrl(name) {
  const u = new URL(PG_ADMIN_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function withClient(url, work) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function createDatabases(names) {
  await withClient(PG_ADMIN_URL, async (c) => {
    for (const n of names) await c.query(`CREATE DATABASE ${n}`);
  });
}

export async function dropDatabases(names) {
  await withClient(PG_ADMIN_URL, async (c) => {
    for (const n of names) await c.query(`DROP DATABASE IF EXISTS ${n} WITH (FORCE)`);
  });
}

/** PIDs of the PostgreSQL backends connected to database `name` (for their CPU use). */
export function backendPids(adminClient, name) {
  return async () =>
    (await adminClient.query('SELECT pid FROM pg_stat_activity WHERE datname = $1', [name])).rows.map(
      (r) => r.pid,
    );
}

// ---- baseline --------------------------------------------------------------------------------

const postsDdl = (t, owned) => `
CREATE TABLE ${t} (
  id uuid PRIMARY KEY,
  created timestamptz NOT NULL DEFAULT now(),
  updated timestamptz NOT NULL DEFAULT now(),
  title text, body text, views double precision, published boolean,
  author uuid REFERENCES users (id) ON DELETE SET NULL
  ${owned ? ', owner uuid REFERENCES users (id) ON DELETE SET NULL' : ''}
);
CREATE INDEX ${t}_created ON ${t} (created);
CREATE INDEX ${t}_author ON ${t} (author);
${owned ? `CREATE INDEX ${t}_owner ON ${t} (owner);\nCREATE INDEX ${t}_owner_published_views ON ${t} (owner, published, views);` : ''}
CREATE INDEX ${t}_published_views ON ${t} (published, views);`;

/** The baseline's tables: the same columns, foreign keys and indexes Plinth creates for these collections. */
export async function createBaselineSchema(url, users) {
  await withClient(url, async (c) => {
    await c.query('CREATE TABLE users (id uuid PRIMARY KEY, email text NOT NULL)');
    for (const t of ['posts', 'posts_small', 'posts_scale']) await c.query(postsDdl(t, false));
    await c.query(postsDdl('owned_posts', true));
    await c.query(
      `INSERT INTO users (id, email) VALUES ${users.map((_, i) => `($${2 * i + 1}, $${2 * i + 2})`).join(', ')}`,
      users.flatMap((u) => [u.id, u.email]),
    );
  });
}

/** The baseline's bulk path: multi-row INSERTs of 1,000 rows. */
export async function seedBaseline(url, table, count, seed, users, opts) {
  await withClient(url, async (c) => {
    const cols = ['id', 'title', 'body', 'views', 'published', 'author', ...(opts.owned ? ['owner'] : [])];
    for (let start = 0; start < count; start += 1000) {
      const n = Math.min(1000, count - start);
      const values = [];
      const tuples = [];
      for (let i = start; i < start + n; i++) {
        const row = makeRow(seed, i, users, opts);
        const base = values.length;
        tuples.push(`(${cols.map((_, k) => `$${base + k + 1}`).join(', ')})`);
        for (const col of cols) values.push(row[col]);
      }
      await c.query(`INSERT INTO ${table} (${cols.join(', ')}) VALUES ${tuples.join(', ')}`, values);
    }
  });
}

// ---- Plinth ----------------------------------------------------------------------------------

/**
 * The environment of a Plinth server under test: its own database, Redis prefix and data directory, a
 * fresh secret, workers inline, warn-level JSON logs, no shutdown grace; `extra` adds or overrides.
 */
export function plinthEnv({ db, redisPrefix, dataDir }, extra = {}) {
  return {
    NODE_ENV: 'production',
    DATABASE_URL: dbUrl(db),
    REDIS_URL,
    PLINTH_REDIS_PREFIX: redisPrefix,
    PLINTH_DATA_DIR: dataDir,
    PLINTH_SECRET: randomBytes(36).toString('base64'),
    PLINTH_WORKERS: 'inline',
    LOG_LEVEL: 'warn',
    LOG_FORMAT: 'json',
    PLINTH_SHUTDOWN_GRACE: '0',
    ...extra,
  };
}

/** Deletes the Redis keys a server under test left under `<prefix>:`. */
export async function removeRedisKeys(prefix) {
  const { Redis } = await import('ioredis');
  const r = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await r.connect();
    let cursor = '0';
    let rounds = 0;
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length) await r.del(...keys);
      cursor = next;
    } while (cursor !== '0' && ++rounds < 10_000);
  } finally {
    r.disconnect();
  }
}

export async function api(base, method, path, body, token) {
  const res = await fetch(base + path, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(60_000),
  });
  const text = await res.text();
  let json;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = text;
  }
  return { status: res.status, body: json };
}

export async function expectOk(what, promise) {
  const r = await promise;
  if (r.status !== 200) throw new Error(`${what}: HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 600)}`);
  return r.body;
}

/** POST /api/collections `def` as admin `token` (`what` names it in the error); → the collection. */
export function createCollection(base, token, def, what = 'create collection') {
  return expectOk(what, api(base, 'POST', '/api/collections', def, token));
}

/** `node cli.js admin create <email>` with the password on stdin and the server's env. */
export function createAdminWithCli(cliPath, env, email, password) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, 'admin', 'create', email], {
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => {
      clearTimeout(killer);
      if (code === 0) resolve(out.trim());
      else reject(new Error(`admin create exited ${code}: ${out.trim()}`));
    });
    child.stdin.end(password + '\n');
  });
}

const postFields = [
  { name: 'title', type: 'text' },
  { name: 'body', type: 'text' },
  { name: 'views', type: 'number' },
  { name: 'published', type: 'bool' },
  { name: 'author', type: 'relation', collection: 'users', maxSelect: 1, onDelete: 'set-null' },
];

export function postsCollection(name) {
  return {
    name,
    type: 'base',
    fields: postFields,
    indexes: [{ fields: ['published', 'views'] }],
    listRule: '',
    viewRule: '',
    createRule: '',
    updateRule: '',
    deleteRule: null,
  };
}

export function ownedPostsCollection() {
  const owner = 'owner = @request.auth.id';
  return {
    name: 'owned_posts',
    type: 'base',
    fields: [
      ...postFields,
      { name: 'owner', type: 'relation', collection: 'users', maxSelect: 1, onDelete: 'set-null' },
    ],
    // owner gets its lookup index with the relation, as author does; the second index is the one an
    // app declares for a per-owner feed, so that the rule reads as many rows as the list without it
    // (without it, both servers read twice the rows and lose ~35-45 % to PostgreSQL, not to rules).
    indexes: [{ fields: ['published', 'views'] }, { fields: ['owner', 'published', 'views'] }],
    listRule: owner,
    viewRule: owner,
    createRule: owner,
    updateRule: owner,
    deleteRule: null,
  };
}

/** Plinth's bulk path: POST /api/batch with 100 creates per request, `parallel` requests at a time. */
export async function seedPlinth(base, token, collection, count, seed, users, opts, parallel = 4) {
  let next = 0;
  const worker = async () => {
    for (;;) {
      const start = next;
      next += 100;
      if (start >= count) return;
      const requests = [];
      for (let i = start; i < Math.min(start + 100, count); i++) {
        requests.push({
          method: 'POST',
          url: `/api/collections/${collection}/records`,
          body: makeRow(seed, i, users, opts),
        });
      }
      await expectOk(`batch ${start}`, api(base, 'POST', '/api/batch', { requests }, token));
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
}

/** The scale tables: `INSERT … SELECT generate_series` straight into both databases. */
export async function seedScaleSql(url, table, count, users, tag) {
  await withClient(url, async (c) => {
    await c.query(scaleSeedSql(table, count, users, tag));
  });
}

export async function vacuumAnalyze(url, tables) {
  await withClient(url, async (c) => {
    for (const t of tables) await c.query(`VACUUM ANALYZE ${t}`);
  });
}
