// The search and aggregate bench (issue 25): full-text search over N rows (req/s, p99) and
// "orders per day" (aggregate by day) over N rows, p99 ≤ 200 ms with an index on the date.
// Run: `npm run bench -- --search [--rows 1000000] [--seconds 20] [--connections 8]`
// (or `node bench/search-aggregate.mjs`). Rows are generated in SQL, so seeding 1,000,000 takes
// about a minute; the schema's searchable option builds the tsvector column and its GIN index.
/* global fetch, performance */
import { COMMON_USAGE, logger, openBench, parseBenchArgs, runIfMain } from './lib/one-server.mjs';
import { createCollection, dbUrl, withClient } from './lib/setup.mjs';

const USAGE = `Usage: npm run bench -- --search [options]

  --rows N            records to seed (default 1000000)
  --seconds N         length of each load (default 20)
  --connections N     requests in flight (default 8)
  --p99-ms N          the aggregate's p99 budget (default 200)
${COMMON_USAGE}`;

const log = logger('search');
const WORDS = [
  'alpha',
  'bravo',
  'charlie',
  'delta',
  'echo',
  'foxtrot',
  'golf',
  'hotel',
  'india',
  'juliet',
  'kilo',
  'lima',
  'mike',
  'november',
  'oscar',
  'papa',
  'quebec',
  'romeo',
  'sierra',
  'tango',
];

/** `connections` loops asking `path()` for `seconds`; → req/s, p50, p99 and the non-200 count. */
async function load(base, token, path, seconds, connections) {
  const latencies = [];
  let failed = 0;
  const until = performance.now() + seconds * 1000;
  const worker = async () => {
    while (performance.now() < until) {
      const t0 = performance.now();
      const res = await fetch(base + path(), { headers: { authorization: `Bearer ${token}` } });
      await res.arrayBuffer();
      latencies.push(performance.now() - t0);
      if (res.status !== 200) failed++;
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: connections }, worker));
  const elapsed = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return { requests: latencies.length, rps: latencies.length / elapsed, p50: at(0.5), p99: at(0.99), failed };
}

export async function runSearchBench(argv = process.argv.slice(2)) {
  const o = parseBenchArgs(argv, {
    rows: { type: 'string', default: '1000000' },
    seconds: { type: 'string', default: '20' },
    connections: { type: 'string', default: '8' },
    'p99-ms': { type: 'string', default: '200' },
  });
  if (o.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const rows = Number(o.rows);
  const seconds = Number(o.seconds);
  const connections = Number(o.connections);
  const budget = Number(o['p99-ms']);
  if (!(rows >= 1000 && seconds > 0 && connections > 0 && budget > 0)) {
    process.stderr.write(`--rows must be 1000 or more, the others positive\n\n${USAGE}`);
    return 2;
  }
  const bench = openBench('search', log);
  try {
    await bench.prepare(o['plinth-dist']);
    const { app, token } = await bench.start(bench.env(), 'search-bench@example.com');
    await createCollection(app.base, token, {
      name: 'orders',
      fields: [
        { name: 'title', type: 'text', searchable: true, language: 'english' },
        { name: 'status', type: 'text' },
        { name: 'total', type: 'number' },
        { name: 'placed', type: 'date' },
      ],
      indexes: [{ fields: ['placed'] }],
      listRule: '',
    });
    log(`seeding ${rows} orders in SQL`);
    const t0 = performance.now();
    await withClient(dbUrl(bench.db), async (db) => {
      const words = `(ARRAY[${WORDS.map((w) => `'${w}'`).join(',')}])`;
      await db.query(
        `INSERT INTO data.orders (id, title, status, total, placed)
         SELECT gen_random_uuid(),
                ${words}[1 + g % 20] || ' ' || ${words}[1 + (g / 20) % 20] || ' order ' || g,
                (ARRAY['new','paid','shipped'])[1 + g % 3], (g * 37) % 1000,
                timestamptz '2026-01-01' + (g % 365) * interval '1 day' + (g % 86400) * interval '1 second'
         FROM generate_series(1, $1::int) g`,
        [rows],
      );
      await db.query('VACUUM ANALYZE data.orders');
    });
    log(`seeded in ${((performance.now() - t0) / 1000).toFixed(0)} s`);

    let n = 0;
    const searchPath = () =>
      `/api/collections/orders/records?skipTotal=1&perPage=20&search=${encodeURIComponent(`${WORDS[n++ % 20]} ${WORDS[(n * 7) % 20]}`)}`;
    const search = await load(app.base, token, searchPath, seconds, connections);
    log(
      `search: ${search.rps.toFixed(0)} req/s, p50 ${search.p50.toFixed(1)} ms, p99 ${search.p99.toFixed(1)} ms, ${search.failed} failed`,
    );
    // One month a request (Jan–Nov, so the next month's first day is in the same year).
    const aggregatePath = () => {
      const m = 1 + (n++ % 11);
      const from = `2026-${String(m).padStart(2, '0')}-01 00:00:00`;
      const to = `2026-${String(m + 1).padStart(2, '0')}-01 00:00:00`;
      return `/api/collections/orders/aggregate?groupBy=placed:day&fields=count(),sum(total)&perPage=1000&filter=${encodeURIComponent(`placed >= "${from}" && placed < "${to}"`)}`;
    };
    const byDay = await load(app.base, token, aggregatePath, seconds, connections);
    log(
      `aggregate by day: ${byDay.rps.toFixed(0)} req/s, p50 ${byDay.p50.toFixed(1)} ms, p99 ${byDay.p99.toFixed(1)} ms, ${byDay.failed} failed`,
    );
    const whole = await load(
      app.base,
      token,
      () => '/api/collections/orders/aggregate?groupBy=placed:day&perPage=1000',
      seconds,
      1,
    );
    log(`aggregate by day over every row: p50 ${whole.p50.toFixed(0)} ms, p99 ${whole.p99.toFixed(0)} ms`);

    const checks = [
      ['every search answered 200', search.failed === 0 && search.requests > 0],
      ['every aggregate answered 200', byDay.failed === 0 && whole.failed === 0],
      [`aggregate by day over one month: p99 ≤ ${budget} ms`, byDay.p99 <= budget],
    ];
    return bench.finish(
      checks,
      { rows, seconds, connections, search, aggregateByDay: byDay, aggregateAll: whole },
      !o['no-write'],
    );
  } finally {
    await bench.close();
  }
}

runIfMain(import.meta.url, 'search', runSearchBench);
