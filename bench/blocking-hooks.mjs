// The blocking hooks bench (issue 20): what a record create costs with no hook, with a hook that does
// not match the write, and with a matching hook on a local receiver that answers after a known delay.
// Target: a matching hook adds at most the receiver's time + 2 ms; a non-matching one adds nothing.
// Run: `npm run bench -- --hooks [--writes 1000] [--delay 5] [--rounds 3]` (or `node bench/blocking-hooks.mjs`).
/* global performance, fetch */
import { createServer } from 'node:http';
import { COMMON_USAGE, logger, openBench, parseBenchArgs, runIfMain } from './lib/one-server.mjs';
import { api, createCollection, expectOk } from './lib/setup.mjs';

const USAGE = `Usage: npm run bench -- --hooks [options]

  --writes N          creates per case and round, one at a time (default 1000)
  --delay MS          how long the receiver waits before it answers (default 5)
  --rounds N          rounds; each runs the three cases in turn (default 3)
${COMMON_USAGE}`;

const log = logger('hooks');

/** A hook endpoint on 127.0.0.1 that answers {"allow": true} `delayMs` after the request ended; it times itself. */
async function startReceiver(delayMs) {
  const served = [];
  const server = createServer((req, res) => {
    const t0 = performance.now();
    req.resume();
    req.on('end', () =>
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"allow":true}');
        served.push(performance.now() - t0);
      }, delayMs),
    );
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}/hook`, served, server };
}

const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0;
};
const median = (xs) => quantile(xs, 0.5);

/** `n` creates one after another; → each one's time in ms. */
async function creates(base, token, collection, n) {
  const times = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const res = await fetch(`${base}/api/collections/${collection}/records`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: `bench ${i}`, n: i }),
    });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`create answered ${res.status}`);
    times.push(performance.now() - t0);
  }
  return times;
}

export async function runHooksBench(argv = process.argv.slice(2)) {
  const o = parseBenchArgs(argv, {
    writes: { type: 'string', default: '1000' },
    delay: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
  });
  if (o.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const [writes, delay, rounds] = [Number(o.writes), Number(o.delay), Number(o.rounds)];
  if (!(Number.isInteger(writes) && writes >= 1 && writes <= 100_000)) {
    process.stderr.write(`--writes must be 1-100000\n\n${USAGE}`);
    return 2;
  }
  if (!(delay >= 0 && delay <= 1000) || !(Number.isInteger(rounds) && rounds >= 1 && rounds <= 20)) {
    process.stderr.write(`--delay must be 0-1000 and --rounds 1-20\n\n${USAGE}`);
    return 2;
  }
  const bench = openBench('hooks', log);
  const receiver = await startReceiver(delay);
  try {
    await bench.prepare(o['plinth-dist']);
    const env = bench.env({ PLINTH_WEBHOOKS_ALLOW_PRIVATE_ENDPOINTS: 'true' });
    const { app, token } = await bench.start(env, 'hooks-bench@example.com');
    const fields = [
      { name: 'title', type: 'text' },
      { name: 'n', type: 'number' },
    ];
    // One fixed collection per case, so the hooks of one case never touch another's writes.
    for (const name of ['plain', 'unmatched', 'hooked']) {
      await createCollection(app.base, token, { name, type: 'base', fields }, `create ${name}`);
    }
    const hook = (events, filter) =>
      expectOk(
        'create hook',
        api(app.base, 'POST', '/api/hooks', { url: receiver.url, events, filter }, token),
      );
    // Non-matching: a hook on the same collection's updates (the in-memory index answers "none" for creates).
    await hook(['unmatched.update']);
    await hook(['hooked.create']);

    const cases = { plain: [], unmatched: [], hooked: [] };
    log(`warming up (${Math.min(200, writes)} creates per case)`);
    for (const name of Object.keys(cases)) await creates(app.base, token, name, Math.min(200, writes));
    receiver.served.length = 0;
    for (let r = 1; r <= rounds; r++) {
      for (const name of Object.keys(cases)) {
        cases[name].push(...(await creates(app.base, token, name, writes)));
      }
      log(
        `round ${r}/${rounds}: ${Object.entries(cases)
          .map(([k, v]) => `${k} ${median(v).toFixed(2)} ms`)
          .join(', ')}`,
      );
    }
    const receiverMs = median(receiver.served);
    const result = {
      writes,
      rounds,
      delayMs: delay,
      receiverMedianMs: +receiverMs.toFixed(3),
      cases: Object.fromEntries(
        Object.entries(cases).map(([k, v]) => [
          k,
          { medianMs: +median(v).toFixed(3), p95Ms: +quantile(v, 0.95).toFixed(3), n: v.length },
        ]),
      ),
    };
    const plain = median(cases.plain);
    const unmatched = median(cases.unmatched);
    const hooked = median(cases.hooked);
    const hookCost = hooked - plain;
    log(
      `per create (median): no hook ${plain.toFixed(2)} ms, non-matching hook ${unmatched.toFixed(2)} ms, ` +
        `matching hook ${hooked.toFixed(2)} ms = no hook + ${hookCost.toFixed(2)} ms against the receiver's ${receiverMs.toFixed(2)} ms ` +
        `(overhead ${(hookCost - receiverMs).toFixed(2)} ms)`,
    );
    const checks = [
      [
        `a matching hook costs at most the receiver's time + 2 ms (${(hookCost - receiverMs).toFixed(2)} ms over)`,
        hookCost <= receiverMs + 2,
      ],
      [
        `a non-matching hook leaves creates unchanged (${(unmatched - plain).toFixed(2)} ms, within 5 % or 0.1 ms)`,
        unmatched - plain <= Math.max(0.1, plain * 0.05),
      ],
    ];
    return bench.finish(checks, result, !o['no-write']);
  } finally {
    await bench.close(() => new Promise((resolve) => receiver.server.close(resolve)));
  }
}

runIfMain(import.meta.url, 'hooks', runHooksBench);
