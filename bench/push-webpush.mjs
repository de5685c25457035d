// The push bench: Web Push deliveries per second from one Plinth server (workers inline) to a local
// push service (web-push-testing, which decrypts every message), and a check that none was lost.
// Run: `npm run bench -- --push [--devices 2000] [--plinth-dist DIR]` (or `node bench/push-webpush.mjs`).
/* global performance, fetch */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { killAll, startServer } from './lib/servers.mjs';
import { api, createAdminWithCli, createDatabases, dbUrl, dropDatabases, expectOk } from './lib/setup.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');
const PER_USER = 50;

const USAGE = `Usage: npm run bench -- --push [options]

  --devices N         Web Push subscriptions the message goes to (default 2000)
  --plinth-dist DIR   run Plinth from this build (default: a private build in node_modules/.cache)
  --no-write          print only; write nothing to bench/results
`;

const log = (msg) => process.stdout.write(`[push ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
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
  const out = path.join(ROOT, 'node_modules', '.cache', 'plinth-bench-push', 'dist');
  rmSync(out, { recursive: true, force: true });
  const node = (bin, args) => execFileSync(process.execPath, [bin, ...args], { cwd: ROOT, stdio: 'inherit' });
  try {
    node('node_modules/typescript/bin/tsc', ['-p', 'tsconfig.build.json', '--outDir', out]);
  } catch {
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

/** web-push-testing's server entry on a free port, its state in a temp dir. */
async function startPushService(work) {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [path.join(ROOT, 'node_modules/web-push-testing/src/bin/server.js'), String(port)],
    {
      cwd: work,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  await new Promise((resolve, reject) => {
    child.stdout.once('data', resolve);
    child.once('exit', (code) => reject(new Error(`web-push-testing exited with ${code}`)));
  });
  const post = async (p, body) => {
    const res = await fetch(`http://127.0.0.1:${port}${p}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (res.status >= 300) throw new Error(`web-push-testing ${p}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  return { child, pid: child.pid, post };
}

async function inBatches(items, size, fn) {
  const out = [];
  for (let i = 0; i < items.length; i += size)
    out.push(...(await Promise.all(items.slice(i, i + size).map(fn))));
  return out;
}

export async function runPushBench(argv = process.argv.slice(2)) {
  const { values: o } = parseArgs({
    args: argv,
    options: {
      devices: { type: 'string', default: '2000' },
      'plinth-dist': { type: 'string' },
      'no-write': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (o.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const n = Number(o.devices);
  if (!(Number.isInteger(n) && n >= 1 && n <= 50_000)) {
    process.stderr.write(`--devices must be 1-50000\n\n${USAGE}`);
    return 2;
  }
  const tag = `${Date.now().toString(36)}_${process.pid}`;
  const db = `plinth_bench_push_${tag}`;
  const prefix = `plinth_bench_push_${tag}`;
  const work = mkdtempSync(path.join(tmpdir(), 'plinth-bench-push-'));
  let app;
  let service;
  try {
    log(
      `building Plinth${o['plinth-dist'] ? '' : ' (private build in node_modules/.cache/plinth-bench-push/dist)'}`,
    );
    const dist = buildPlinth(o['plinth-dist']);
    await createDatabases([db]);
    service = await startPushService(work);
    const env = {
      NODE_ENV: 'production',
      DATABASE_URL: dbUrl(db),
      REDIS_URL: 'redis://127.0.0.1:6379',
      PLINTH_REDIS_PREFIX: prefix,
      PLINTH_DATA_DIR: path.join(work, 'data'),
      PLINTH_SECRET: randomBytes(36).toString('base64'),
      PLINTH_WORKERS: 'inline',
      PLINTH_PUSH_ALLOW_PRIVATE_ENDPOINTS: 'true',
      LOG_LEVEL: 'warn',
      LOG_FORMAT: 'json',
      PLINTH_SHUTDOWN_GRACE: '0',
      PLINTH_AUTH_RATE_PER_IP: '100000',
    };
    app = await startServer({
      name: 'plinth',
      args: [path.join(dist, 'apps/server/main.js')],
      env,
      port: await freePort(),
      logFile: path.join(work, 'plinth.log'),
    });
    const password = `bench-${randomBytes(6).toString('hex')}`;
    await createAdminWithCli(path.join(dist, 'apps/server/cli.js'), env, 'push-bench@example.com', password);
    const { token: admin } = await expectOk(
      'admin sign-in',
      api(app.base, 'POST', '/api/admins/auth-with-password', {
        identity: 'push-bench@example.com',
        password,
      }),
    );
    const { publicKey } = await expectOk('vapid key', api(app.base, 'GET', '/api/push/vapid-public-key'));

    const userCount = Math.ceil(n / PER_USER);
    log(`creating ${userCount} users and ${n} Web Push subscriptions`);
    const users = await inBatches([...Array(userCount).keys()], 10, async (i) => {
      const email = `push-${i}@bench.example`;
      const pw = 'bench-password-1234';
      const rec = await expectOk(
        'create user',
        api(app.base, 'POST', '/api/collections/users/records', { email, password: pw, passwordConfirm: pw }),
      );
      const { token } = await expectOk(
        'sign in',
        api(app.base, 'POST', '/api/collections/users/auth-with-password', { identity: email, password: pw }),
      );
      return { id: rec.id, token };
    });
    const subs = await inBatches([...Array(n).keys()], 20, async (i) => {
      const { data } = await service.post('/subscribe', {
        userVisibleOnly: 'true',
        applicationServerKey: publicKey,
      });
      const endpoint = String(data.endpoint).replace('//localhost:', '//127.0.0.1:');
      await expectOk(
        'register device',
        api(
          app.base,
          'POST',
          '/api/push/devices',
          { platform: 'webpush', subscription: { endpoint, keys: data.keys } },
          users[Math.floor(i / PER_USER)].token,
        ),
      );
      return data.clientHash;
    });

    // Warm-up: one delivery through every code path before the measured send.
    const warm = await api(
      app.base,
      'POST',
      '/api/push/send',
      { targets: { users: [users[0].id] }, data: { warm: true } },
      admin,
    );
    if (warm.status !== 202) throw new Error(`warm-up send answered ${warm.status}`);
    for (;;) {
      const m = (await api(app.base, 'GET', `/api/push/messages/${warm.body.id}`, undefined, admin)).body;
      if (m.counts.pending === 0) break;
      await sleep(100);
    }

    const payload = { notification: { title: 'Bench', body: 'x'.repeat(200) }, data: { run: tag } };
    log(`sending one message to ${n} devices`);
    const t0 = performance.now();
    const sent = await api(
      app.base,
      'POST',
      '/api/push/send',
      { targets: { users: users.map((u) => u.id) }, ...payload },
      admin,
    );
    if (sent.status !== 202) throw new Error(`send answered ${sent.status}: ${JSON.stringify(sent.body)}`);
    const acceptMs = performance.now() - t0;
    let m;
    for (;;) {
      m = (await api(app.base, 'GET', `/api/push/messages/${sent.body.id}`, undefined, admin)).body;
      if (m.counts.pending === 0 || performance.now() - t0 > 600_000) break;
      await sleep(50);
    }
    const totalMs = performance.now() - t0;
    const perSecond = m.counts.sent / (totalMs / 1000);
    log(
      `${m.counts.sent} of ${n} sent, ${m.counts.failed} failed in ${(totalMs / 1000).toFixed(2)} s (POST answered in ${acceptMs.toFixed(0)} ms): ${perSecond.toFixed(0)} deliveries/s`,
    );

    log('checking that every subscription received the message exactly once, intact');
    const expected = JSON.stringify({ title: 'Bench', body: 'x'.repeat(200), data: { run: tag } });
    const received = await inBatches(subs, 50, async (clientHash) => {
      const { data } = await service.post('/get-notifications', { clientHash });
      return data.messages.filter((msg) => msg === expected).length;
    });
    const exactlyOnce = received.filter((c) => c === 1).length;
    const checks = [
      [`all ${n} deliveries recorded as sent`, m.counts.sent === n],
      [`all ${n} subscriptions received the payload exactly once`, exactlyOnce === n],
    ];
    for (const [what, pass] of checks) log(`${pass ? 'PASS' : 'FAIL'}  ${what}`);
    const result = {
      at: new Date().toISOString(),
      devices: n,
      deliveriesPerSecond: Math.round(perSecond),
      totalMs: Math.round(totalMs),
      acceptMs: Math.round(acceptMs),
      sent: m.counts.sent,
      failed: m.counts.failed,
      receivedExactlyOnce: exactlyOnce,
      checks: Object.fromEntries(checks),
    };
    if (!o['no-write']) {
      mkdirSync(path.join(HERE, 'results'), { recursive: true });
      const file = path.join(
        HERE,
        'results',
        `push-${result.at.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}.json`,
      );
      writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
      log(`wrote ${path.relative(ROOT, file)}`);
    }
    return checks.every(([, pass]) => pass) ? 0 : 1;
  } finally {
    await app?.stop().catch(() => undefined);
    service?.child.kill('SIGTERM');
    killAll();
    await dropDatabases([db]).catch((e) => log(`could not drop ${db}: ${e.message}`));
    const { Redis } = await import('ioredis');
    const r = new Redis('redis://127.0.0.1:6379', { lazyConnect: true, maxRetriesPerRequest: 1 });
    await r
      .connect()
      .then(async () => {
        let cursor = '0';
        do {
          const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
          if (keys.length) await r.del(...keys);
          cursor = next;
        } while (cursor !== '0');
      })
      .catch((e) => log(`could not remove Redis keys: ${e.message}`))
      .finally(() => r.disconnect());
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  runPushBench()
    .then((code) => process.exit(code))
    .catch((err) => {
      process.stderr.write(`\npush bench failed: ${err.stack ?? err.message}\n`);
      process.exit(1);
    });
}
