// The realtime bench: N concurrent SSE clients (default 1,000) on one Plinth server. Reports the
// server's memory per open connection and how long one change takes to reach every client.
// Run: `npm run bench -- --realtime [--clients 1000] [--plinth-dist DIR]` (or `node bench/realtime-clients.mjs`).
/* global performance */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startSampler } from './lib/procstat.mjs';
import { killAll, startServer } from './lib/servers.mjs';
import { api, createAdminWithCli, createDatabases, dbUrl, dropDatabases, expectOk } from './lib/setup.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');
const KiB = 1024;
const MiB = 1024 * KiB;

const USAGE = `Usage: npm run bench -- --realtime [options]

  --clients N         concurrent SSE clients (default 1000)
  --budget-kb N       most server memory one open, subscribed connection may cost, in KiB (default 64)
  --plinth-dist DIR   run Plinth from this build (default: a private build in node_modules/.cache)
  --no-write          print only; write nothing to bench/results
`;

const log = (msg) => process.stdout.write(`[realtime ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
const mb = (bytes) => `${(bytes / MiB).toFixed(1)} MiB`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function buildPlinth(dir) {
  if (dir) return path.resolve(dir);
  const out = path.join(ROOT, 'node_modules', '.cache', 'plinth-bench-realtime', 'dist');
  rmSync(out, { recursive: true, force: true });
  const node = (bin, args) => execFileSync(process.execPath, [bin, ...args], { cwd: ROOT, stdio: 'inherit' });
  try {
    node('node_modules/typescript/bin/tsc', ['-p', 'tsconfig.build.json', '--outDir', out]);
  } catch {
    // Type errors still emit JavaScript; go on when the entry point was written.
    statSync(path.join(out, 'apps/server/main.js'));
    log('the build reported type errors; running the JavaScript it emitted');
  }
  node('node_modules/tsc-alias/dist/bin/index.js', [
    '-p',
    'tsconfig.build.json',
    '--outDir',
    out,
    '--resolve-full-paths',
  ]);
  return out;
}

/**
 * One SSE client on a raw http request (lighter than fetch, so the bench process is not what
 * limits). Resolves with its client id once PB_CONNECT arrives; `onEvent(name, data)` after that.
 */
function openClient(base, agent, onEvent) {
  return new Promise((resolve, reject) => {
    const url = new URL(`${base}/api/realtime`);
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        agent,
        headers: { accept: 'text/event-stream' },
      },
      (res) => {
        if (res.statusCode !== 200) {
          reject(new Error(`GET /api/realtime answered ${res.statusCode}`));
          res.resume();
          return;
        }
        res.setEncoding('utf8');
        let buffer = '';
        let connected = false;
        res.on('data', (chunk) => {
          buffer += chunk;
          let end;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            let event = 'message';
            let data = '';
            for (const line of block.split('\n')) {
              if (line.startsWith('event:')) event = line.slice(6).trim();
              else if (line.startsWith('data:')) data += line.slice(5).trim();
            }
            if (!data) continue;
            if (!connected && event === 'PB_CONNECT') {
              connected = true;
              resolve({ clientId: JSON.parse(data).clientId, close: () => req.destroy() });
            } else onEvent(event, data);
          }
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

async function cleanupRedis(prefix) {
  const { Redis } = await import('ioredis');
  const r = new Redis('redis://127.0.0.1:6379', { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await r.connect();
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length) await r.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
}

async function rssSettled(pid) {
  const s = startSampler(pid, { everyMs: 100 });
  await sleep(1000);
  return (await s.stop()).rssMean;
}

export async function runRealtimeBench(argv = process.argv.slice(2)) {
  const { values: o } = parseArgs({
    args: argv,
    options: {
      clients: { type: 'string', default: '1000' },
      'budget-kb': { type: 'string', default: '64' },
      'plinth-dist': { type: 'string' },
      'no-write': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (o.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const n = Number(o.clients);
  const budgetKb = Number(o['budget-kb']);
  if (!(Number.isInteger(n) && n >= 1 && n <= 15_000) || !(budgetKb > 0)) {
    process.stderr.write(`--clients must be 1-15000 and --budget-kb positive\n\n${USAGE}`);
    return 2;
  }
  const tag = `${Date.now().toString(36)}_${process.pid}`;
  const db = `plinth_bench_realtime_${tag}`;
  const prefix = `plinth_bench_realtime_${tag}`;
  const work = mkdtempSync(path.join(tmpdir(), 'plinth-bench-realtime-'));
  const agent = new Agent({ keepAlive: false, maxSockets: Infinity });
  const clients = [];
  let app;
  try {
    log(
      `building Plinth${o['plinth-dist'] ? '' : ' (private build in node_modules/.cache/plinth-bench-realtime/dist)'}`,
    );
    const dist = buildPlinth(o['plinth-dist']);
    await createDatabases([db]);
    const env = {
      NODE_ENV: 'production',
      DATABASE_URL: dbUrl(db),
      REDIS_URL: 'redis://127.0.0.1:6379',
      PLINTH_REDIS_PREFIX: prefix,
      PLINTH_DATA_DIR: path.join(work, 'data'),
      PLINTH_SECRET: randomBytes(36).toString('base64'),
      PLINTH_WORKERS: 'inline',
      LOG_LEVEL: 'warn',
      LOG_FORMAT: 'json',
      PLINTH_SHUTDOWN_GRACE: '0',
      PLINTH_REALTIME_MAX_PER_IP: String(n + 10),
    };
    app = await startServer({
      name: 'plinth',
      args: [path.join(dist, 'apps/server/main.js')],
      env,
      port: await freePort(),
      logFile: path.join(work, 'plinth.log'),
    });
    const password = `bench-${randomBytes(6).toString('hex')}`;
    await createAdminWithCli(path.join(dist, 'apps/server/cli.js'), env, 'rt-bench@example.com', password);
    const { token } = await expectOk(
      'admin sign-in',
      api(app.base, 'POST', '/api/admins/auth-with-password', { identity: 'rt-bench@example.com', password }),
    );
    await expectOk(
      'create collection',
      api(
        app.base,
        'POST',
        '/api/collections',
        { name: 'news', fields: [{ name: 'title', type: 'text' }], listRule: '', viewRule: '' },
        token,
      ),
    );

    let received = 0;
    let allIn;
    const onEvent = (event) => {
      if (event === 'news' && ++received === clients.length) allIn?.();
    };
    const subscribe = (clientId) =>
      api(app.base, 'POST', '/api/realtime', { clientId, subscriptions: ['news'] }).then((r) => {
        if (r.status !== 204) throw new Error(`subscribe answered ${r.status}: ${JSON.stringify(r.body)}`);
      });
    // Warm-up: the code paths of connect, subscribe and one delivery are loaded before the baseline.
    const warm = await openClient(app.base, agent, () => undefined);
    await subscribe(warm.clientId);
    await expectOk(
      'warm-up create',
      api(app.base, 'POST', '/api/collections/news/records', { title: 'warm' }, token),
    );
    warm.close();
    await sleep(500);
    const idleRss = await rssSettled(app.pid);
    log(`Plinth idle RSS ${mb(idleRss)}; opening ${n} SSE clients`);

    const t0 = performance.now();
    for (let i = 0; i < n; i += 100) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(100, n - i) }, () => openClient(app.base, agent, onEvent)),
      );
      await Promise.all(batch.map((c) => subscribe(c.clientId)));
      clients.push(...batch);
    }
    const connectMs = performance.now() - t0;
    const openRss = await rssSettled(app.pid);
    const perConnection = (openRss - idleRss) / n;
    log(
      `${n} clients connected and subscribed in ${(connectMs / 1000).toFixed(1)} s; RSS ${mb(openRss)} ` +
        `(+${mb(openRss - idleRss)}, ${(perConnection / KiB).toFixed(1)} KiB per connection)`,
    );

    const done = new Promise((resolve) => (allIn = resolve));
    const t1 = performance.now();
    await expectOk(
      'create',
      api(app.base, 'POST', '/api/collections/news/records', { title: 'to everyone' }, token),
    );
    await Promise.race([done, sleep(60_000)]);
    const fanOutMs = performance.now() - t1;
    log(`one change reached ${received} of ${n} clients in ${fanOutMs.toFixed(0)} ms`);

    const checks = [
      [`all ${n} clients received the change`, received === n],
      [`one connection costs at most ${budgetKb} KiB`, perConnection <= budgetKb * KiB],
    ];
    for (const [what, pass] of checks) log(`${pass ? 'PASS' : 'FAIL'}  ${what}`);
    const result = {
      at: new Date().toISOString(),
      clients: n,
      idleRssBytes: idleRss,
      openRssBytes: openRss,
      bytesPerConnection: Math.round(perConnection),
      connectAndSubscribeMs: Math.round(connectMs),
      fanOutMs: Math.round(fanOutMs),
      received,
      checks: Object.fromEntries(checks),
    };
    if (!o['no-write']) {
      mkdirSync(path.join(HERE, 'results'), { recursive: true });
      const file = path.join(
        HERE,
        'results',
        `realtime-${result.at.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}.json`,
      );
      writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
      log(`wrote ${path.relative(ROOT, file)}`);
    }
    return checks.every(([, pass]) => pass) ? 0 : 1;
  } finally {
    for (const c of clients) c.close();
    agent.destroy();
    await app?.stop().catch(() => undefined);
    killAll();
    await dropDatabases([db]).catch((e) => log(`could not drop ${db}: ${e.message}`));
    await cleanupRedis(prefix).catch((e) => log(`could not remove Redis keys: ${e.message}`));
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  runRealtimeBench()
    .then((code) => process.exit(code))
    .catch((err) => {
      process.stderr.write(`\nrealtime bench failed: ${err.stack ?? err.message}\n`);
      process.exit(1);
    });
}
