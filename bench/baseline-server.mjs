// The baseline of `npm run bench`: a raw Fastify 5 + pg server with hand-written parameterized SQL
// for the operations the bench loads, answering in Plinth's JSON shapes. No framework, no filter
// language, no rules engine: what a careful developer would write by hand for these endpoints.
//
// Env: DATABASE_URL (required), PORT (default 8095), HOST (127.0.0.1), BENCH_JWT_SECRET (HS256 key
// for the owner-rule endpoint), BENCH_POOL_SIZE (20, like Plinth's pool).
/* global TextEncoder */
import Fastify from 'fastify';
import { jwtVerify } from 'jose';
import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';

const url = process.env.DATABASE_URL;
if (!url) {
  process.stderr.write('DATABASE_URL is required\n');
  process.exit(1);
}
const port = Number(process.env.PORT ?? 8095);
const host = process.env.HOST ?? '127.0.0.1';
const secret = new TextEncoder().encode(
  process.env.BENCH_JWT_SECRET ?? 'bench-secret-bench-secret-bench-secret!',
);
const pool = new pg.Pool({ connectionString: url, max: Number(process.env.BENCH_POOL_SIZE ?? 20) });

// Tables the baseline serves, each shaped like Plinth's data.<name> table.
const TABLES = {
  posts: { owner: false },
  posts_small: { owner: false },
  posts_scale: { owner: false },
  owned_posts: { owner: true },
};
const COLUMNS = ['id', 'created', 'updated', 'title', 'body', 'views', 'published', 'author'];
const selectList = (t) => [...COLUMNS, ...(TABLES[t].owner ? ['owner'] : [])].join(', ');

const uuid = { type: 'string', format: 'uuid' };
const nullableUuid = { anyOf: [uuid, { type: 'null' }] };
const recordSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    collectionId: { type: 'string' },
    collectionName: { type: 'string' },
    created: { type: 'string', format: 'date-time' },
    updated: { type: 'string', format: 'date-time' },
    title: { type: ['string', 'null'] },
    body: { type: ['string', 'null'] },
    views: { type: ['number', 'null'] },
    published: { type: ['boolean', 'null'] },
    author: { type: ['string', 'null'] },
    owner: { type: ['string', 'null'] },
  },
};
const listSchema = {
  type: 'object',
  properties: {
    page: { type: 'integer' },
    perPage: { type: 'integer' },
    totalItems: { type: 'integer' },
    totalPages: { type: 'integer' },
    items: { type: 'array', items: recordSchema },
  },
};
const writeBody = (required) => ({
  type: 'object',
  additionalProperties: false,
  required,
  properties: {
    title: { type: 'string', maxLength: 200 },
    body: { type: 'string' },
    views: { type: 'number', minimum: 0 },
    published: { type: 'boolean' },
    author: nullableUuid,
    owner: nullableUuid,
  },
});
const params = {
  type: 'object',
  required: ['c'],
  properties: { c: { type: 'string', enum: Object.keys(TABLES) }, id: { type: 'string' } },
};
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const app = Fastify({ logger: false, keepAliveTimeout: 72_000 });

function present(c, row) {
  const r = {
    id: row.id,
    collectionId: `baseline_${c}`,
    collectionName: c,
    created: row.created,
    updated: row.updated,
    title: row.title,
    body: row.body,
    views: row.views,
    published: row.published,
    // An empty relation reads as PocketBase's zero value "", as Plinth answers it (DESIGN §10).
    author: row.author ?? '',
  };
  if (TABLES[c].owner) r.owner = row.owner;
  return r;
}

function notFound(reply, c, id) {
  return reply
    .code(404)
    .type('application/problem+json')
    .send({ status: 404, code: 'RECORD_NOT_FOUND', detail: `There is no record "${id}" in "${c}".` });
}

async function userId(request) {
  const h = request.headers.authorization ?? '';
  const token = h.startsWith('Bearer ') ? h.slice(7) : h;
  if (!token) return null;
  try {
    const { payload } = await jwtVerify(token, secret, { algorithms: ['HS256'] });
    return typeof payload.sub === 'string' ? payload.sub : null;
  } catch {
    return null;
  }
}

app.get('/api/health', async () => ({ status: 'ok' }));
app.get('/api/ready', async () => {
  await pool.query('SELECT 1');
  return { status: 'ok' };
});

// Filtered list: ?published=true&minViews=500&sort=-views&page=1&perPage=20&skipTotal=true
app.get(
  '/api/collections/:c/records',
  {
    schema: {
      params,
      querystring: {
        type: 'object',
        properties: {
          published: { type: 'boolean' },
          minViews: { type: 'number' },
          sort: { type: 'string', enum: ['-views', '-created'] },
          page: { type: 'integer', minimum: 1, default: 1 },
          perPage: { type: 'integer', minimum: 1, maximum: 500, default: 30 },
          skipTotal: { type: 'boolean', default: false },
        },
      },
      response: { 200: listSchema },
    },
  },
  async (request, reply) => {
    const { c } = request.params;
    const q = request.query;
    const where = [];
    const values = [];
    if (q.published !== undefined) {
      values.push(q.published);
      where.push(`published = $${values.length}`);
    }
    if (q.minViews !== undefined) {
      values.push(q.minViews);
      where.push(`views > $${values.length}`);
    }
    if (TABLES[c].owner) {
      // The owner rule, by hand: only the signed-in user's records.
      const uid = await userId(request);
      if (!uid) return reply.code(401).send();
      values.push(uid);
      where.push(`owner = $${values.length}`);
    }
    const whereSql = where.length ? where.join(' AND ') : 'TRUE';
    const order = q.sort === '-views' ? 'views DESC, id DESC' : 'created DESC, id DESC';
    const offset = (q.page - 1) * q.perPage;
    const items = pool.query(
      `SELECT ${selectList(c)} FROM ${c} WHERE ${whereSql} ORDER BY ${order} LIMIT ${q.perPage} OFFSET ${offset}`,
      values,
    );
    const count = q.skipTotal
      ? undefined
      : pool.query(`SELECT count(*)::int AS n FROM ${c} WHERE ${whereSql}`, values);
    const [r, n] = await Promise.all([items, count]);
    const total = n ? n.rows[0].n : -1;
    return {
      page: q.page,
      perPage: q.perPage,
      totalItems: total,
      totalPages: total < 0 ? -1 : Math.ceil(total / q.perPage),
      items: r.rows.map((row) => present(c, row)),
    };
  },
);

app.get(
  '/api/collections/:c/records/:id',
  { schema: { params, response: { 200: recordSchema } } },
  async (request, reply) => {
    const { c, id } = request.params;
    if (!UUID_RE.test(id)) return notFound(reply, c, id);
    const { rows } = await pool.query(`SELECT ${selectList(c)} FROM ${c} WHERE id = $1`, [id]);
    if (!rows[0]) return notFound(reply, c, id);
    return present(c, rows[0]);
  },
);

app.post(
  '/api/collections/:c/records',
  { schema: { params, body: writeBody(['title']), response: { 200: recordSchema } } },
  async (request) => {
    const { c } = request.params;
    const b = request.body;
    const cols = ['id', 'title', 'body', 'views', 'published', 'author'];
    const values = [
      uuidv7(),
      b.title,
      b.body ?? null,
      b.views ?? null,
      b.published ?? null,
      b.author ?? null,
    ];
    if (TABLES[c].owner) {
      cols.push('owner');
      values.push(b.owner ?? null);
    }
    const { rows } = await pool.query(
      `INSERT INTO ${c} (${cols.join(', ')}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING ${selectList(c)}`,
      values,
    );
    return present(c, rows[0]);
  },
);

const WRITABLE = ['title', 'body', 'views', 'published', 'author', 'owner'];
app.patch(
  '/api/collections/:c/records/:id',
  { schema: { params, body: writeBody([]), response: { 200: recordSchema } } },
  async (request, reply) => {
    const { c, id } = request.params;
    if (!UUID_RE.test(id)) return notFound(reply, c, id);
    const values = [id];
    const sets = ['updated = now()'];
    for (const k of WRITABLE) {
      if (request.body[k] === undefined || (k === 'owner' && !TABLES[c].owner)) continue;
      values.push(request.body[k]);
      sets.push(`${k} = $${values.length}`);
    }
    const { rows } = await pool.query(
      `UPDATE ${c} SET ${sets.join(', ')} WHERE id = $1 RETURNING ${selectList(c)}`,
      values,
    );
    if (!rows[0]) return notFound(reply, c, id);
    return present(c, rows[0]);
  },
);

await app.listen({ port, host });
process.stdout.write(`baseline listening on http://${host}:${port}\n`);

const stop = async () => {
  await app.close().catch(() => undefined);
  await pool.end().catch(() => undefined);
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
