// The push bench: Web Push deliveries per second from one Plinth server (workers inline) to a local
// push service (web-push-testing, which decrypts every message), and a check that none was lost.
// Run: `npm run bench -- --push [--devices 2000] [--plinth-dist DIR]` (or `node bench/push-webpush.mjs`).
/* global performance, fetch */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { COMMON_USAGE, logger, openBench, parseBenchArgs, runIfMain } from './lib/one-server.mjs';
import { freePort, ROOT } from './lib/servers.mjs';
import { api, expectOk } from './lib/setup.mjs';

const PER_USER = 50;

const USAGE = `Usage: npm run bench -- --push [options]

  --devices N         Web Push subscriptions the message goes to (default 2000)
${COMMON_USAGE}`;

const log = logger('push');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

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
  const o = parseBenchArgs(argv, { devices: { type: 'string', default: '2000' } });
  if (o.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const n = Number(o.devices);
  if (!(Number.isInteger(n) && n >= 1 && n <= 50_000)) {
    process.stderr.write(`--devices must be 1-50000\n\n${USAGE}`);
    return 2;
  }
  const bench = openBench('push', log);
  const { tag } = bench;
  let service;
  try {
    await bench.prepare(o['plinth-dist']);
    service = await startPushService(bench.work);
    const env = bench.env({
      PLINTH_PUSH_ALLOW_PRIVATE_ENDPOINTS: 'true',
      PLINTH_AUTH_RATE_PER_IP: '100000',
    });
    const { app, token: admin } = await bench.start(env, 'push-bench@example.com');
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
    const result = {
      devices: n,
      deliveriesPerSecond: Math.round(perSecond),
      totalMs: Math.round(totalMs),
      acceptMs: Math.round(acceptMs),
      sent: m.counts.sent,
      failed: m.counts.failed,
      receivedExactlyOnce: exactlyOnce,
    };
    return bench.finish(checks, result, !o['no-write']);
  } finally {
    await bench.close(() => service?.child.kill('SIGTERM'));
  }
}

runIfMain(import.meta.url, 'push', runPushBench);
