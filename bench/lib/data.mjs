// Deterministic bench data: the same seed gives the same rows on the baseline and on Plinth.

/** mulberry32: a small, fast, seeded PRNG returning floats in [0, 1). */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A 32-bit mix of (seed, index, salt) so each row has its own PRNG stream. */
function mix(seed, index, salt) {
  let h = (seed ^ Math.imul(index + 1, 0x9e3779b1) ^ Math.imul(salt + 1, 0x85ebca77)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

const hex = (rand, n) => {
  let s = '';
  for (let i = 0; i < n; i++) s += Math.floor(rand() * 16).toString(16);
  return s;
};

/** A UUIDv7-shaped id: time part from `ms`, the rest from the PRNG. */
export function uuid7From(rand, ms) {
  const t = ms.toString(16).padStart(12, '0');
  const variant = '89ab'[Math.floor(rand() * 4)];
  return `${t.slice(0, 8)}-${t.slice(8, 12)}-7${hex(rand, 3)}-${variant}${hex(rand, 3)}-${hex(rand, 12)}`;
}

const WORDS = (
  'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore ' +
  'et dolore magna aliqua enim ad minim veniam quis nostrud exercitation ullamco laboris nisi aliquip ' +
  'ex ea commodo consequat duis aute irure in reprehenderit voluptate velit esse cillum fugiat nulla ' +
  'pariatur excepteur sint occaecat cupidatat non proident sunt culpa qui officia deserunt mollit anim'
).split(' ');

const BASE_MS = Date.UTC(2024, 0, 1);

/** The bench's users (authors and owners): fixed ids and emails. users[0] is the signed-in app user. */
export function makeUsers(seed, count = 8) {
  const out = [];
  for (let i = 0; i < count; i++) {
    const rand = mulberry32(mix(seed, i, 7));
    out.push({ id: uuid7From(rand, BASE_MS - 1000 + i), email: `bench-user-${i}@example.com` });
  }
  return out;
}

/**
 * Row `i` of a table: { id, title, body, views, published, author } (+ owner for owned rows).
 * views is 0.00..1000.00, about half the rows are published, ~10 % have no author.
 * Owned rows: every even row belongs to users[0] (the signed-in user), the rest to the others.
 */
export function makeRow(seed, i, users, { salt = 1, owned = false } = {}) {
  const rand = mulberry32(mix(seed, i, salt));
  const id = uuid7From(rand, BASE_MS + i);
  const title = `${WORDS[Math.floor(rand() * WORDS.length)]} ${WORDS[Math.floor(rand() * WORDS.length)]} #${i}`;
  const n = 20 + Math.floor(rand() * 20);
  const words = [];
  for (let k = 0; k < n; k++) words.push(WORDS[Math.floor(rand() * WORDS.length)]);
  const row = {
    id,
    title,
    body: words.join(' '),
    // Two decimals, so that even 1,000,000 rows have few ties on the sort key.
    views: Math.floor(rand() * 100001) / 100,
    published: rand() < 0.5,
    author: rand() < 0.1 ? null : users[Math.floor(rand() * users.length)].id,
  };
  if (owned) row.owner = i % 2 === 0 ? users[0].id : users[1 + (i % (users.length - 1))].id;
  return row;
}

/** A body for a create during load (the load tools make their own random ones the same way). */
export function makeCreateBody(rand, users) {
  return {
    title: `bench create ${Math.floor(rand() * 1e9)}`,
    body: 'created during the load test',
    views: Math.floor(rand() * 1001),
    published: rand() < 0.5,
    author: users[Math.floor(rand() * users.length)].id,
  };
}

/**
 * The SQL that seeds the scale tables (same on both databases): `INSERT … SELECT generate_series`,
 * with values derived from md5 of the row number, so the rows are identical on both sides.
 * `table` is the quoted table name, `users` the author ids.
 */
export function scaleSeedSql(table, count, users, tag) {
  const ids = users.map((u) => `'${u.id}'`).join(',');
  return `INSERT INTO ${table} ("id", "title", "body", "views", "published", "author")
SELECT overlay(overlay(md5('${tag}-' || i) placing '7' from 13 for 1) placing '8' from 17 for 1)::uuid,
       'Post ' || i,
       repeat(md5('b' || i), 5),
       (abs(('x' || substr(md5('v' || i), 1, 8))::bit(32)::int) % 100001) / 100.0::double precision,
       get_byte(decode(md5('p' || i), 'hex'), 0) % 2 = 0,
       CASE WHEN i % 10 = 0 THEN NULL ELSE (ARRAY[${ids}]::uuid[])[1 + i % ${users.length}] END
FROM generate_series(1, ${count}) AS i`;
}
