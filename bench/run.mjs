#!/usr/bin/env node
// `npm run bench`: Plinth against a raw Fastify + pg baseline on the same PostgreSQL (issue 11,
// DESIGN §9). See bench/README.md. Every load goes to 127.0.0.1 only and stops after --duration.
/* global TextEncoder, performance */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SignJWT } from 'jose';
import pg from 'pg';
import { compareAnswers } from './lib/check.mjs';
import { makeCreateBody, makeRow, makeUsers, mulberry32 } from './lib/data.mjs';
import { pickTool, runLoad } from './lib/load.mjs';
import { startSampler } from './lib/procstat.mjs';
import { judgeTargets, renderMarkdown, renderText, summarize } from './lib/report.mjs';
import { buildPlinth, freePort, killAll, startServer } from './lib/servers.mjs';

/** A 4 MiB young generation (V8's default grows to 16 MiB per semi-space): ~30 MB less idle RSS. */
// BENCH_PLINTH_NODE_FLAGS replaces them for an experiment (space-separated).
const PLINTH_NODE_FLAGS = process.env.BENCH_PLINTH_NODE_FLAGS?.split(' ').filter(Boolean) ?? [
  '--max-semi-space-size=4',
];
import {
  api,
  backendPids,
  createAdminWithCli,
  createBaselineSchema,
  createCollection,
  createDatabases,
  dbUrl,
  dropDatabases,
  expectOk,
  ownedPostsCollection,
  PG_ADMIN_URL,
  plinthEnv as makePlinthEnv,
  postsCollection,
  removeRedisKeys,
  seedBaseline,
  seedPlinth,
  seedScaleSql,
  vacuumAnalyze,
  withClient,
} from './lib/setup.mjs';

// `npm run bench -- --files [...]`: the file-upload memory bench (bench/files-upload.mjs) instead of the loads.
if (process.argv.includes('--files')) {
  const { runFilesBench } = await import('./files-upload.mjs');
  process.exit(await runFilesBench(process.argv.slice(2).filter((a) => a !== '--files')));
}

// `npm run bench -- --realtime [...]`: 1,000 SSE clients and memory per connection (bench/realtime-clients.mjs).
if (process.argv.includes('--realtime')) {
  const { runRealtimeBench } = await import('./realtime-clients.mjs');
  process.exit(await runRealtimeBench(process.argv.slice(2).filter((a) => a !== '--realtime')));
}

// `npm run bench -- --hosting [...]`: static file req/s of a deploy against @fastify/static (bench/hosting-static.mjs).
if (process.argv.includes('--hosting')) {
  const { runHostingBench } = await import('./hosting-static.mjs');
  process.exit(await runHostingBench(process.argv.slice(2).filter((a) => a !== '--hosting')));
}

// `npm run bench -- --search [...]`: search and aggregate-by-day over 1,000,000 rows (bench/search-aggregate.mjs).
if (process.argv.includes('--search')) {
  const { runSearchBench } = await import('./search-aggregate.mjs');
  process.exit(await runSearchBench(process.argv.slice(2).filter((a) => a !== '--search')));
}

// `npm run bench -- --push [...]`: Web Push deliveries per second to a local push service, no loss (bench/push-webpush.mjs).
if (process.argv.includes('--push')) {
  const { runPushBench } = await import('./push-webpush.mjs');
  process.exit(await runPushBench(process.argv.slice(2).filter((a) => a !== '--push')));
}

// `npm run bench -- --hooks [...]`: the cost of blocking hooks on creates (bench/blocking-hooks.mjs).
if (process.argv.includes('--hooks')) {
  const { runHooksBench } = await import('./blocking-hooks.mjs');
  process.exit(await runHooksBench(process.argv.slice(2).filter((a) => a !== '--hooks')));
}

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');

const USAGE = `Usage: npm run bench -- [options]

  --rounds N          repeat the measured rounds N times, showing min/median/max (default 1)
  --duration S        seconds of load per operation and server (default 10)
  --warmup S          unmeasured seconds before each load (default: min(3, duration))
  --rows N            rows seeded into posts and owned_posts (default 100000)
  --small-rows N      rows of the small table of the scale case (default 10000)
  --scale-rows N      rows of the large table of the scale case (default 1000000)
  --connections N     concurrent connections (default 32)
  --threads N         wrk threads (default 1: the load tool shares the 2 cores with the servers)
  --tool T            auto | wrk | autocannon (default auto: wrk when on PATH)
  --only a,b          only these operations: ${'get,list,list-total,list-rules,list-small,list-scale,create,update'}
  --seed N            seed of the deterministic rows (default 42)
  --plinth-dist DIR   run Plinth from this build (default: build into bench/.build/dist)
  --cpu-prof          run Plinth with --cpu-prof during the rounds; profiles go to bench/.tmp/<run>/prof
  --keep-dbs          keep both bench databases (default: dropped at the end)
  --no-write          print only; write nothing to bench/results
  --files             run the file-upload memory bench instead (bench/files-upload.mjs; --files --help)
  --realtime          run the realtime bench instead: SSE clients, memory per connection (--realtime --help)
  --push              run the push bench instead: Web Push deliveries per second, no loss (--push --help)
  --hooks             run the blocking hooks bench instead: a create's cost with and without hooks (--hooks --help)
`;

const { values: o } = parseArgs({
  options: {
    rounds: { type: 'string', default: '1' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string' },
    rows: { type: 'string', default: '100000' },
    'small-rows': { type: 'string', default: '10000' },
    'scale-rows': { type: 'string', default: '1000000' },
    connections: { type: 'string', default: '32' },
    threads: { type: 'string', default: '1' },
    tool: { type: 'string', default: 'auto' },
    only: { type: 'string' },
    seed: { type: 'string', default: '42' },
    'plinth-dist': { type: 'string' },
    'cpu-prof': { type: 'boolean', default: false },
    'keep-dbs': { type: 'boolean', default: false },
    'no-write': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (o.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}

const num = (name, min, max) => {
  const n = Number(o[name]);
  if (!Number.isFinite(n) || n < min || n > max) {
    process.stderr.write(`--${name} must be a number from ${min} to ${max}\n\n${USAGE}`);
    process.exit(2);
  }
  return n;
};
const cfg = {
  rounds: num('rounds', 1, 20),
  duration: num('duration', 1, 300),
  rows: num('rows', 100, 10_000_000),
  smallRows: num('small-rows', 100, 10_000_000),
  scaleRows: num('scale-rows', 100, 50_000_000),
  connections: num('connections', 1, 1024),
  threads: num('threads', 1, 16),
  seed: num('seed', 0, 2 ** 31),
};
cfg.warmup = o.warmup !== undefined ? num('warmup', 0, 60) : Math.min(3, cfg.duration);

const tool = pickTool(o.tool);
const startedAt = new Date();
const stamp = startedAt
  .toISOString()
  .replace(/[-:]/g, '')
  .replace(/\.\d+Z$/, 'Z');
const tag = `${stamp.toLowerCase().replace(/[^0-9a-z]/g, '')}_${process.pid}`;
const baseDb = `plinth_bench_base_${tag}`;
const appDb = `plinth_bench_app_${tag}`;
const redisPrefix = `plinth_bench_${tag}`;
const tmp = path.join(HERE, '.tmp', stamp);
mkdirSync(tmp, { recursive: true });

const log = (msg) => process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
const notes = [];

// ---- operations -----------------------------------------------------------------------------

const FILTER = 'published = true && views > 500';
const plinthList = (c, skipTotal) =>
  `/api/collections/${c}/records?filter=${encodeURIComponent(FILTER)}&sort=-views&perPage=20${skipTotal ? '&skipTotal=true' : ''}`;
const baseList = (c, skipTotal) =>
  `/api/collections/${c}/records?published=true&minViews=500&sort=-views&perPage=20${skipTotal ? '&skipTotal=true' : ''}`;

const ALL_OPS = [
  { key: 'get', label: 'get one by id', mode: 'get', coll: 'posts' },
  { key: 'list', label: 'filtered list, skipTotal', mode: 'list', coll: 'posts', skipTotal: true },
  { key: 'list-total', label: 'filtered list + total', mode: 'list', coll: 'posts', skipTotal: false },
  {
    key: 'list-rules',
    label: 'list, owner rule (user)',
    mode: 'list',
    coll: 'owned_posts',
    skipTotal: true,
    user: true,
  },
  {
    key: 'list-small',
    label: `list @ ${cfg.smallRows.toLocaleString('en-US')} rows`,
    mode: 'list',
    coll: 'posts_small',
    skipTotal: true,
  },
  {
    key: 'list-scale',
    label: `list @ ${cfg.scaleRows.toLocaleString('en-US')} rows`,
    mode: 'list',
    coll: 'posts_scale',
    skipTotal: true,
  },
  { key: 'create', label: 'create', mode: 'create', coll: 'posts' },
  { key: 'update', label: 'update one field', mode: 'update', coll: 'posts' },
];
const only = o.only?.split(',').map((s) => s.trim());
if (only) {
  const unknown = only.filter((k) => !ALL_OPS.some((op) => op.key === k));
  if (unknown.length) {
    process.stderr.write(`unknown operation(s) ${unknown.join(', ')}\n\n${USAGE}`);
    process.exit(2);
  }
}
const OPS = ALL_OPS.filter((op) => !only || only.includes(op.key));
const needScale = OPS.some((op) => op.key === 'list-small' || op.key === 'list-scale');

// ---- helpers --------------------------------------------------------------------------------

function shell(cmd, args, opts = {}) {
  return execFileSync(cmd, args, { encoding: 'utf8', ...opts }).trim();
}

// ---- main -----------------------------------------------------------------------------------

let cleanedUp = false;
async function cleanup() {
  if (cleanedUp) return;
  cleanedUp = true;
  killAll();
  if (!o['keep-dbs']) {
    await dropDatabases([baseDb, appDb]).catch((e) =>
      log(`could not drop the bench databases: ${e.message}`),
    );
  } else log(`kept databases ${baseDb} and ${appDb}`);
  await removeRedisKeys(redisPrefix).catch((e) =>
    log(`could not remove Redis keys ${redisPrefix}:*: ${e.message}`),
  );
}
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    log(`${sig}: stopping`);
    void cleanup().finally(() => process.exit(130));
  });
}

async function main() {
  log(
    `tool ${tool}, ${cfg.connections} connections, ${cfg.duration} s per load (+${cfg.warmup} s warm-up), ` +
      `${cfg.rounds} round(s), ${cfg.rows} rows, scale ${cfg.smallRows} vs ${cfg.scaleRows}`,
  );
  log('building Plinth (private build in node_modules/.cache/plinth-bench/dist)');
  const dist = buildPlinth({ dist: o['plinth-dist'], cache: 'plinth-bench' });
  const users = makeUsers(cfg.seed);
  const baseSecret = randomBytes(36).toString('base64');
  const adminEmail = 'bench-admin@example.com';
  const password = 'bench-password-' + randomBytes(6).toString('hex');
  const [basePort, appPort] = [await freePort(), await freePort()];

  const plinthEnv = makePlinthEnv(
    { db: appDb, redisPrefix, dataDir: path.join(tmp, 'plinth-data') },
    { PLINTH_ACCESS_TOKEN_TTL: '86400' },
  );
  const baseEnv = { DATABASE_URL: dbUrl(baseDb), BENCH_JWT_SECRET: baseSecret };
  const startBase = () =>
    startServer({
      name: 'baseline',
      args: [path.join(HERE, 'baseline-server.mjs')],
      env: baseEnv,
      port: basePort,
      logFile: path.join(tmp, 'baseline.log'),
    });
  const startApp = (extraArgs = []) =>
    startServer({
      name: 'plinth',
      // Plinth runs with the V8 flags `npm start` and the Docker image give it (package.json, Dockerfile).
      args: [...PLINTH_NODE_FLAGS, ...extraArgs, path.join(dist, 'apps/server/main.js')],
      env: plinthEnv,
      port: appPort,
      logFile: path.join(tmp, 'plinth.log'),
    });

  log(`creating databases ${baseDb} and ${appDb}`);
  await createDatabases([baseDb, appDb]);
  await createBaselineSchema(dbUrl(baseDb), users);

  // ---- setup: accounts, collections, seed ---------------------------------------------------
  log('first start of Plinth (runs its migrations)');
  let app = await startApp();
  let base = await startBase();
  const firstBootMs = app.coldStartMs;
  log(`Plinth ready in ${Math.round(firstBootMs)} ms; creating the admin with the CLI`);
  await createAdminWithCli(path.join(dist, 'apps/server/cli.js'), plinthEnv, adminEmail, password);
  const { token: adminToken } = await expectOk(
    'admin sign-in',
    api(app.base, 'POST', '/api/admins/auth-with-password', { identity: adminEmail, password }),
  );
  for (const def of [
    postsCollection('posts'),
    ownedPostsCollection(),
    postsCollection('posts_small'),
    postsCollection('posts_scale'),
  ]) {
    await createCollection(app.base, adminToken, def, `create collection ${def.name}`);
  }
  for (const u of users) {
    await expectOk(
      `create user ${u.email}`,
      api(
        app.base,
        'POST',
        '/api/collections/users/records',
        { id: u.id, email: u.email, password, passwordConfirm: password },
        adminToken,
      ),
    );
  }
  const { token: userToken } = await expectOk(
    'user sign-in',
    api(app.base, 'POST', '/api/collections/users/auth-with-password', {
      identity: users[0].email,
      password,
    }),
  );
  const baseUserToken = await new SignJWT({ typ: 'auth' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(users[0].id)
    .setIssuedAt()
    .setExpirationTime('1d')
    .sign(new TextEncoder().encode(baseSecret));

  const seeding = {};
  // owned_posts holds the same rows as posts plus an owner, so the rules case differs only by the rule.
  for (const [table, opts] of [
    ['posts', { salt: 1 }],
    ['owned_posts', { salt: 1, owned: true }],
  ]) {
    let t0 = performance.now();
    await seedBaseline(dbUrl(baseDb), table, cfg.rows, cfg.seed, users, opts);
    const baseMs = performance.now() - t0;
    t0 = performance.now();
    await seedPlinth(app.base, adminToken, table, cfg.rows, cfg.seed, users, opts);
    const appMs = performance.now() - t0;
    seeding[table] = {
      baselineRowsPerS: cfg.rows / (baseMs / 1000),
      plinthRowsPerS: cfg.rows / (appMs / 1000),
    };
    log(
      `seeded ${cfg.rows} rows into ${table}: baseline (multi-row INSERT) ${Math.round(baseMs)} ms, ` +
        `Plinth (POST /api/batch, 100 per request, 4 in parallel) ${Math.round(appMs)} ms`,
    );
  }
  notes.push(
    `Seeding ${cfg.rows.toLocaleString('en-US')} rows per table: baseline multi-row INSERT ≈ ` +
      `${Math.round(seeding.posts.baselineRowsPerS).toLocaleString('en-US')} rows/s, Plinth POST /api/batch ≈ ` +
      `${Math.round(seeding.posts.plinthRowsPerS).toLocaleString('en-US')} rows/s.`,
  );
  if (needScale) {
    for (const [table, count] of [
      ['posts_small', cfg.smallRows],
      ['posts_scale', cfg.scaleRows],
    ]) {
      const t0 = performance.now();
      await Promise.all([
        seedScaleSql(dbUrl(baseDb), table, count, users, table),
        seedScaleSql(dbUrl(appDb), `"data"."${table}"`, count, users, table),
      ]);
      log(`seeded ${count} rows into ${table} with SQL on both (${Math.round(performance.now() - t0)} ms)`);
    }
    notes.push(
      `The scale tables (posts_small ${cfg.smallRows.toLocaleString('en-US')} rows, posts_scale ` +
        `${cfg.scaleRows.toLocaleString('en-US')} rows) were seeded with SQL directly into both databases ` +
        '(INSERT … SELECT generate_series, values from md5 of the row number), not through the APIs.',
    );
  }
  const tables = ['posts', 'owned_posts', 'posts_small', 'posts_scale'];
  await vacuumAnalyze(dbUrl(baseDb), tables);
  await vacuumAnalyze(
    dbUrl(appDb),
    tables.map((t) => `"data"."${t}"`),
  );

  // Ids for get and update: a sample of the seeded rows, the same on both servers.
  const rand = mulberry32(cfg.seed ^ 0x5eed);
  const sample = Array.from(
    { length: Math.min(10_000, cfg.rows) },
    () => makeRow(cfg.seed, Math.floor(rand() * cfg.rows), users, { salt: 1 }).id,
  );
  const idsFile = path.join(tmp, 'ids.txt');
  writeFileSync(idsFile, sample.join('\n') + '\n');

  // ---- same answers -------------------------------------------------------------------------
  log('checking that both servers answer with the same rows');
  const b = (m, p, body, tok) => () => api(base.base, m, p, body, tok);
  const a = (m, p, body, tok) => () => api(app.base, m, p, body, tok);
  const createBody = makeCreateBody(mulberry32(7), users);
  createBody.title = 'bench create (check)';
  const cases = [
    ...sample.slice(0, 5).map((id) => ({
      name: `get one ${id}`,
      kind: 'record',
      base: b('GET', `/api/collections/posts/records/${id}`),
      plinth: a('GET', `/api/collections/posts/records/${id}`),
    })),
    {
      name: 'filtered list, skipTotal',
      kind: 'list',
      base: b('GET', baseList('posts', true)),
      plinth: a('GET', plinthList('posts', true)),
    },
    {
      name: 'filtered list + total',
      kind: 'list',
      base: b('GET', baseList('posts', false)),
      plinth: a('GET', plinthList('posts', false)),
    },
    {
      name: 'filtered list + total, page 3',
      kind: 'list',
      base: b('GET', baseList('posts', false) + '&page=3'),
      plinth: a('GET', plinthList('posts', false) + '&page=3'),
    },
    {
      name: 'list with the owner rule (user token)',
      kind: 'list',
      base: b('GET', baseList('owned_posts', false), undefined, baseUserToken),
      plinth: a('GET', plinthList('owned_posts', false), undefined, userToken),
    },
    ...(needScale
      ? [
          {
            name: 'list @ small rows',
            kind: 'list',
            base: b('GET', baseList('posts_small', false)),
            plinth: a('GET', plinthList('posts_small', false)),
          },
          {
            name: 'list @ scale rows',
            kind: 'list',
            base: b('GET', baseList('posts_scale', true)),
            plinth: a('GET', plinthList('posts_scale', true)),
          },
        ]
      : []),
    {
      name: 'create',
      kind: 'write',
      base: b('POST', '/api/collections/posts/records', createBody),
      plinth: a('POST', '/api/collections/posts/records', createBody),
    },
    {
      name: `update views of ${sample[5]}`,
      kind: 'record',
      base: b('PATCH', `/api/collections/posts/records/${sample[5]}`, { views: 777 }),
      plinth: a('PATCH', `/api/collections/posts/records/${sample[5]}`, { views: 777 }),
    },
  ];
  const checks = await compareAnswers(cases);
  for (const c of checks)
    log(`  ${c.ok ? 'same' : 'DIFFERENT'}: ${c.name}${c.detail ? ` — ${c.detail}` : ''}`);

  // How each side runs the list (diagnostic: Plinth's SQL is read from pg_stat_activity).
  const plans = { posts: await explainList(app, plinthList, 'posts') };
  if (needScale) plans.posts_scale = await explainList(app, plinthList, 'posts_scale');

  await Promise.all([app.stop(), base.stop()]);

  // ---- rounds -------------------------------------------------------------------------------
  // Every round reads the tables as seeded: the rows a round's create load added to posts are deleted
  // and the table vacuumed before the next round (its update load only changes views of seeded rows).
  const seededUntil = {};
  for (const db of [baseDb, appDb]) {
    seededUntil[db] = await withClient(
      dbUrl(db),
      async (c) => (await c.query('SELECT now() AS t')).rows[0].t,
    );
  }
  const resetWrites = async () => {
    for (const [db, table] of [
      [baseDb, 'posts'],
      [appDb, '"data"."posts"'],
    ]) {
      await withClient(dbUrl(db), async (c) => {
        await c.query(`DELETE FROM ${table} WHERE created > $1`, [seededUntil[db]]);
        await c.query(`VACUUM ANALYZE ${table}`);
      });
    }
  };
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  const rounds = [];
  try {
    for (let r = 1; r <= cfg.rounds; r++) {
      if (r > 1) await resetWrites();
      const profArgs = o['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${path.join(tmp, 'prof')}`] : [];
      const order = r % 2 ? ['baseline', 'plinth'] : ['plinth', 'baseline'];
      const servers = {};
      for (const s of order) servers[s] = s === 'baseline' ? await startBase() : await startApp(profArgs);
      const round = {
        round: r,
        start: Object.fromEntries(
          order.map((s) => [s, { coldStartMs: servers[s].coldStartMs, idleRss: servers[s].idleRss }]),
        ),
        ops: {},
        loadAvg: os.loadavg()[0],
      };
      log(
        `round ${r}/${cfg.rounds}: cold start baseline ${Math.round(servers.baseline.coldStartMs)} ms / ` +
          `Plinth ${Math.round(servers.plinth.coldStartMs)} ms; idle RSS ` +
          `${(servers.baseline.idleRss / 1048576).toFixed(0)} / ${(servers.plinth.idleRss / 1048576).toFixed(0)} MB`,
      );
      for (const op of OPS) {
        round.ops[op.key] = {};
        for (const s of order) {
          const srv = servers[s];
          const isBase = s === 'baseline';
          const spec = {
            base: srv.base,
            mode: op.mode,
            path:
              op.mode === 'list'
                ? (isBase ? baseList : plinthList)(op.coll, op.skipTotal)
                : op.mode === 'create'
                  ? `/api/collections/${op.coll}/records`
                  : `/api/collections/${op.coll}/records/`,
            idsFile,
            authors: users.map((u) => u.id),
            auth: op.user ? `Bearer ${isBase ? baseUserToken : userToken}` : '',
            connections: cfg.connections,
            threads: cfg.threads,
          };
          if (cfg.warmup > 0) await runLoad(tool, { ...spec, duration: cfg.warmup });
          await sleep(300);
          const sampler = startSampler(srv.pid, { extraPids: backendPids(admin, isBase ? baseDb : appDb) });
          await sampler.ready;
          const res = await runLoad(tool, { ...spec, duration: cfg.duration });
          const usage = await sampler.stop();
          round.ops[op.key][s] = { ...res, ...usage };
          log(
            `  ${op.key.padEnd(11)} ${s.padEnd(8)} ${Math.round(res.rps).toString().padStart(6)} req/s  ` +
              `p50 ${res.p50Ms.toFixed(2)} ms  p99 ${res.p99Ms.toFixed(2)} ms  errors ${res.errors}  ` +
              `CPU ${usage.cpuPct.toFixed(0)} %  DB CPU ${usage.dbCpuPct?.toFixed(0)} %`,
          );
        }
      }
      await Promise.all(Object.values(servers).map((s) => s.stop()));
      rounds.push(round);
      // Rows made by the create loads go, so every round reads the same tables.
      for (const [url, t] of [
        [dbUrl(baseDb), 'posts'],
        [dbUrl(appDb), '"data"."posts"'],
      ]) {
        await withClient(url, (c) => c.query(`DELETE FROM ${t} WHERE title LIKE 'bench create %'`));
        await vacuumAnalyze(url, [t]);
      }
    }
  } finally {
    await admin.end().catch(() => undefined);
  }

  // ---- report -------------------------------------------------------------------------------
  if (tool === 'autocannon')
    notes.push(
      'Load generated with autocannon (wrk was not on PATH): it uses more CPU than wrk on the same 2 cores.',
    );
  notes.push(
    'Both servers, PostgreSQL and the load tool share one machine: CPU % is of one core (200 % = both); ' +
      'DB CPU % sums the PostgreSQL backends serving that server.',
  );
  for (const [table, rows] of [
    ['posts', cfg.rows],
    ['posts_scale', cfg.scaleRows],
  ]) {
    const p = plans[table];
    if (!p) continue;
    const at = `${table} (${rows.toLocaleString('en-US')} rows)`;
    notes.push(
      `Plan of the list on ${at} — baseline: ${p.baseline ?? 'n/a'}; Plinth: ${p.plinth ?? p.error ?? 'n/a'}`,
    );
    if (p.plinthOrder) notes.push(`Plinth's list SQL on ${table} orders by: ${p.plinthOrder}`);
  }
  notes.push(
    `Load average (1 min) at the start of each round: ${rounds.map((r) => r.loadAvg.toFixed(1)).join(', ')} ` +
      '(above ~0.5 means other work shared the cores: compare ratios more than absolute numbers).',
  );
  notes.push(
    `Plinth's first start on its empty database (migrations included): ${Math.round(firstBootMs)} ms.`,
  );

  const summary = summarize(OPS, rounds);
  const targets = judgeTargets(summary, rounds);
  process.stdout.write('\n' + renderText(OPS, summary, rounds, targets, notes) + '\n\n');

  const meta = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    argv: process.argv.slice(2),
    tool,
    ...cfg,
    machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${pgVersion}`,
    commit: (() => {
      try {
        const dirty = shell('git', ['status', '--porcelain', '--', 'apps', 'libs'], { cwd: ROOT })
          ? ' (with uncommitted changes in apps/libs)'
          : '';
        return shell('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT }) + dirty;
      } catch {
        return 'unknown';
      }
    })(),
  };
  if (!o['no-write']) {
    const dir = path.join(HERE, 'results');
    mkdirSync(dir, { recursive: true });
    const md = path.join(dir, `${stamp}.md`);
    const json = path.join(dir, `${stamp}.json`);
    // Formatted as Prettier would, so `npm run lint` accepts committed results.
    writeFileSync(md, await pretty(renderMarkdown(meta, OPS, summary, rounds, targets, notes, checks), md));
    writeFileSync(
      json,
      await pretty(
        JSON.stringify({ meta, operations: OPS, summary, targets, checks, rounds, notes, plans }),
        json,
      ),
    );
    log(`results: ${path.relative(ROOT, md)} and ${path.relative(ROOT, json)}`);
  }
  const failed = checks.filter((c) => !c.ok);
  if (failed.length) {
    log(`${failed.length} check(s) found different answers: the comparison is not like for like`);
    return 1;
  }
  return 0;
}

async function pretty(text, file) {
  try {
    const prettier = await import('prettier');
    const options = (await prettier.resolveConfig(file)) ?? {};
    return await prettier.format(text, { ...options, filepath: file });
  } catch {
    return text;
  }
}

let pgVersion = 'PostgreSQL';
/**
 * How each side runs the skipTotal list on `table` (diagnostic): the baseline's hand-written SQL,
 * and Plinth's statement as read from pg_stat_activity after one request, each under EXPLAIN ANALYZE.
 */
async function explainList(app, plinthListFn, table) {
  const out = {};
  const summarizePlan = (plan) => {
    const nodes = [];
    const walk = (n) => {
      nodes.push(
        `${n['Node Type']}${n['Index Name'] ? ` using ${n['Index Name']}` : ''}${n['Sort Key'] ? ` by ${n['Sort Key'].join(', ')}` : ''}`,
      );
      for (const c of n.Plans ?? []) walk(c);
    };
    walk(plan[0].Plan);
    return `${nodes.join(' → ')} (${plan[0]['Execution Time'].toFixed(1)} ms)`;
  };
  try {
    await withClient(dbUrl(baseDb), async (c) => {
      pgVersion = `PostgreSQL ${(await c.query('SHOW server_version')).rows[0].server_version}`;
      const { rows } = await c.query(
        `EXPLAIN (ANALYZE, FORMAT JSON) SELECT * FROM ${table} WHERE published = $1 AND views > $2 ORDER BY views DESC, id DESC LIMIT 20`,
        [true, 500],
      );
      out.baseline = summarizePlan(rows[0]['QUERY PLAN']);
    });
    await api(app.base, 'GET', plinthListFn(table, true));
    await withClient(dbUrl(appDb), async (c) => {
      // The last statement of Plinth's backends (not this one's own query).
      const { rows } = await c.query(
        `SELECT query FROM pg_stat_activity
          WHERE datname = $1 AND pid <> pg_backend_pid() AND query LIKE $2
          ORDER BY query_start DESC LIMIT 1`,
        [appDb, `SELECT %FROM "data"."${table}" AS t WHERE %ORDER BY%`],
      );
      const sql = rows[0]?.query;
      if (!sql) return;
      out.plinthOrder = /ORDER BY (.*?) LIMIT/s.exec(sql)?.[1];
      const nParams = Math.max(0, ...[...sql.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])));
      // Only the filter's values are known here: true and 500, or 500 alone when true is inlined.
      const values = nParams === 2 ? [true, 500] : nParams === 1 ? [500] : nParams === 0 ? [] : null;
      if (values === null) return;
      await c.query('BEGIN');
      try {
        const { rows: plan } = await c.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`, values);
        out.plinth = summarizePlan(plan[0]['QUERY PLAN']);
      } finally {
        await c.query('ROLLBACK');
      }
    });
  } catch (err) {
    out.error = err.message;
  }
  return out;
}

main()
  .then(async (code) => {
    await cleanup();
    if (code === 0 && !o['cpu-prof']) rmSync(tmp, { recursive: true, force: true });
    process.exit(code);
  })
  .catch(async (err) => {
    process.stderr.write(
      `\nbench failed: ${err.stack ?? err.message}\n(logs in ${path.relative(ROOT, tmp)})\n`,
    );
    await cleanup();
    process.exit(1);
  });
