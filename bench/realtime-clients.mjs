// The realtime bench: N concurrent SSE clients (default 1,000) on one Plinth server. Reports the
// server's memory per open connection and how long one change takes to reach every client.
// Run: `npm run bench -- --realtime [--clients 1000] [--plinth-dist DIR]` (or `node bench/realtime-clients.mjs`).
/* global performance */
import { Agent, request } from 'node:http';
import { COMMON_USAGE, logger, openBench, parseBenchArgs, runIfMain } from './lib/one-server.mjs';
import { startSampler } from './lib/procstat.mjs';
import { api, createCollection, expectOk } from './lib/setup.mjs';

const KiB = 1024;
const MiB = 1024 * KiB;

const USAGE = `Usage: npm run bench -- --realtime [options]

  --clients N         concurrent SSE clients (default 1000)
  --budget-kb N       most server memory one open, subscribed connection may cost, in KiB (default 64)
${COMMON_USAGE}`;

const log = logger('realtime');
const mb = (bytes) => `${(bytes / MiB).toFixed(1)} MiB`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

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

async function rssSettled(pid) {
  const s = startSampler(pid, { everyMs: 100 });
  await sleep(1000);
  return (await s.stop()).rssMean;
}

export async function runRealtimeBench(argv = process.argv.slice(2)) {
  const o = parseBenchArgs(argv, {
    clients: { type: 'string', default: '1000' },
    'budget-kb': { type: 'string', default: '64' },
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
  const bench = openBench('realtime', log);
  const agent = new Agent({ keepAlive: false, maxSockets: Infinity });
  const clients = [];
  try {
    await bench.prepare(o['plinth-dist']);
    const env = bench.env({ PLINTH_REALTIME_MAX_PER_IP: String(n + 10) });
    const { app, token } = await bench.start(env, 'rt-bench@example.com');
    await createCollection(app.base, token, {
      name: 'news',
      fields: [{ name: 'title', type: 'text' }],
      listRule: '',
      viewRule: '',
    });

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
    const result = {
      clients: n,
      idleRssBytes: idleRss,
      openRssBytes: openRss,
      bytesPerConnection: Math.round(perConnection),
      connectAndSubscribeMs: Math.round(connectMs),
      fanOutMs: Math.round(fanOutMs),
      received,
    };
    return bench.finish(checks, result, !o['no-write']);
  } finally {
    for (const c of clients) c.close();
    agent.destroy();
    await bench.close();
  }
}

runIfMain(import.meta.url, 'realtime', runRealtimeBench);
