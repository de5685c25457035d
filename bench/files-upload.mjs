// The file-upload memory bench: a 200 MB upload through the records API must stream, so the server's
// RSS stays bounded whatever the file size; one over the field's maxSize is refused with nothing stored.
// Run: `npm run bench -- --files [--size-mb 200] [--s3] [--plinth-dist DIR]` (or `node bench/files-upload.mjs`).
/* global fetch, AbortSignal, Buffer, performance */
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
import { Readable } from 'node:stream';
import { COMMON_USAGE, logger, openBench, parseBenchArgs, runIfMain } from './lib/one-server.mjs';
import { startSampler } from './lib/procstat.mjs';
import { freePort } from './lib/servers.mjs';
import { api, createCollection, expectOk } from './lib/setup.mjs';

const MiB = 1024 * 1024;

const USAGE = `Usage: npm run bench -- --files [options]

  --size-mb N         size of the big upload in MiB (default 200)
  --budget-mb N       most the server's RSS may grow during the upload, in MiB (default 64)
  --s3                store in a local s3rver instead of the local driver
${COMMON_USAGE}`;

const log = logger('files');
const mb = (bytes) => `${(bytes / MiB).toFixed(1)} MiB`;

/** `bytes` of incompressible data, produced a chunk at a time (the client holds 1 MiB at most). */
function generated(bytes) {
  const block = randomBytes(MiB);
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= bytes) return this.push(null);
      const n = Math.min(MiB, bytes - sent);
      sent += n;
      this.push(n === MiB ? Buffer.from(block) : block.subarray(0, n));
    },
  });
}

/** Streams a multipart create with one file part of `bytes`; resolves with {status, body, ms}. */
function uploadRecord(base, token, collection, field, bytes) {
  const boundary = `----plinthbench${randomBytes(8).toString('hex')}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\nbench\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="big.bin"\r\n` +
      'Content-Type: application/octet-stream\r\n\r\n',
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const url = new URL(`${base}/api/collections/${collection}/records`);
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'content-length': String(head.length + bytes + tail.length),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode, body: text, ms: performance.now() - t0 }));
      },
    );
    // A server that refuses early closes the upload: the answer still counts.
    req.on('error', (err) => (err.code === 'EPIPE' || err.code === 'ECONNRESET' ? undefined : reject(err)));
    req.write(head);
    const body = generated(bytes);
    body.on('end', () => req.end(tail));
    body.pipe(req, { end: false });
  });
}

async function downloadBytes(url, token) {
  const res = await fetch(url, {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(600_000),
  });
  let n = 0;
  for await (const chunk of res.body) n += chunk.length;
  return { status: res.status, bytes: n };
}

function walk(dir) {
  const out = [];
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(full));
    else out.push(full);
  }
  return out;
}

export async function runFilesBench(argv = process.argv.slice(2)) {
  const o = parseBenchArgs(argv, {
    'size-mb': { type: 'string', default: '200' },
    'budget-mb': { type: 'string', default: '64' },
    s3: { type: 'boolean', default: false },
  });
  if (o.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const sizeMb = Number(o['size-mb']);
  const budgetMb = Number(o['budget-mb']);
  if (!(sizeMb >= 1 && sizeMb <= 10_000) || !(budgetMb > 0)) {
    process.stderr.write(`--size-mb must be 1-10000 and --budget-mb positive\n\n${USAGE}`);
    return 2;
  }
  const size = Math.round(sizeMb * MiB);
  const bench = openBench('files', log);
  const { work, dataDir } = bench;
  let s3server;
  try {
    await bench.prepare(o['plinth-dist']);
    const env = bench.env({ PLINTH_REQUEST_TIMEOUT: '900' });
    let listStored = () =>
      walk(path.join(dataDir, 'storage')).map((f) => path.relative(path.join(dataDir, 'storage'), f));
    if (o.s3) {
      const { default: S3rver } = await import('s3rver');
      const port = await freePort();
      s3server = new S3rver({
        port,
        address: '127.0.0.1',
        silent: true,
        directory: path.join(work, 's3'),
        configureBuckets: [{ name: 'bench', configs: [] }],
      });
      await s3server.run();
      Object.assign(env, {
        PLINTH_STORAGE_DRIVER: 's3',
        PLINTH_S3_ENDPOINT: `http://127.0.0.1:${port}`,
        PLINTH_S3_BUCKET: 'bench',
        PLINTH_S3_ACCESS_KEY_ID: 'S3RVER',
        PLINTH_S3_SECRET_ACCESS_KEY: 'S3RVER',
      });
      // s3rver keeps each object as <dir>/<bucket>/<key>._S3rver_object.
      listStored = () =>
        walk(path.join(work, 's3', 'bench'))
          .filter((f) => f.endsWith('._S3rver_object'))
          .map((f) => path.relative(path.join(work, 's3', 'bench'), f));
    }
    const { app, token } = await bench.start(env, 'files-bench@example.com');
    await createCollection(app.base, token, {
      name: 'blobs',
      fields: [
        { name: 'title', type: 'text' },
        { name: 'big', type: 'file', maxSize: size + MiB },
        { name: 'small', type: 'file', maxSize: 10 * MiB },
      ],
    });
    const coldRss = startSampler(app.pid, { everyMs: 100 });
    await new Promise((r) => setTimeout(r, 500));
    const coldIdle = (await coldRss.stop()).rssMean;
    // A small upload and download first, so that the libraries they load (file-type, the AWS SDK) are
    // in before the baseline is taken: the growth then is what the file's size costs.
    const warm = await uploadRecord(app.base, token, 'blobs', 'big', MiB);
    if (warm.status !== 200)
      throw new Error(`the warm-up upload answered ${warm.status}: ${warm.body.slice(0, 500)}`);
    const warmRecord = JSON.parse(warm.body);
    await downloadBytes(`${app.base}/api/files/blobs/${warmRecord.id}/${warmRecord.big}`, token);
    await expectOk(
      'delete warm-up record',
      api(app.base, 'DELETE', `/api/collections/blobs/records/${warmRecord.id}`, undefined, token).then(
        (r) => ({ ...r, status: r.status === 204 ? 200 : r.status }),
      ),
    );
    const idle = startSampler(app.pid, { everyMs: 100 });
    await new Promise((r) => setTimeout(r, 1000));
    const idleStats = await idle.stop();
    const idleRss = idleStats.rssMean;
    log(
      `Plinth idle RSS ${mb(coldIdle)} at start, ${mb(idleRss)} after a 1 MiB upload and download; ` +
        `uploading ${mb(size)} (${o.s3 ? 's3rver' : 'local disk'})`,
    );

    const sampler = startSampler(app.pid, { everyMs: 50 });
    const up = await uploadRecord(app.base, token, 'blobs', 'big', size);
    const upStats = await sampler.stop();
    if (up.status !== 200) throw new Error(`the upload answered ${up.status}: ${up.body.slice(0, 500)}`);
    const record = JSON.parse(up.body);
    const stored = listStored();
    const growth = upStats.rssPeak - idleRss;
    log(
      `uploaded in ${(up.ms / 1000).toFixed(1)} s (${(size / MiB / (up.ms / 1000)).toFixed(0)} MiB/s); ` +
        `peak RSS ${mb(upStats.rssPeak)} (+${mb(growth)} over idle), server CPU ${upStats.cpuPct.toFixed(0)} %`,
    );

    const downSampler = startSampler(app.pid, { everyMs: 50 });
    const down = await downloadBytes(`${app.base}/api/files/blobs/${record.id}/${record.big}`, token);
    const downStats = await downSampler.stop();
    log(`downloaded ${mb(down.bytes)} (HTTP ${down.status}); peak RSS ${mb(downStats.rssPeak)}`);

    const before = listStored();
    const over = await uploadRecord(app.base, token, 'blobs', 'small', size);
    const after = listStored();
    log(
      `over-limit upload of ${mb(size)} to a 10 MiB field: HTTP ${over.status}; objects before ${before.length}, after ${after.length}`,
    );

    const checks = [
      ['the upload is stored whole', stored.length === 1 && down.bytes === size],
      [`RSS grows at most ${budgetMb} MiB during the upload`, growth <= budgetMb * MiB],
      [
        `RSS grows at most ${budgetMb} MiB during the download`,
        downStats.rssPeak - idleRss <= budgetMb * MiB,
      ],
      ['an over-limit upload is refused with 413', over.status === 413],
      ['an over-limit upload stores nothing', after.length === before.length],
    ];
    const result = {
      driver: o.s3 ? 's3 (s3rver)' : 'local',
      sizeBytes: size,
      idleRssAtStartBytes: coldIdle,
      idleRssBytes: idleRss,
      upload: { ms: up.ms, rssPeakBytes: upStats.rssPeak, rssGrowthBytes: growth, cpuPct: upStats.cpuPct },
      download: { bytes: down.bytes, rssPeakBytes: downStats.rssPeak },
      overLimit: { status: over.status, objectsBefore: before.length, objectsAfter: after.length },
      budgetBytes: budgetMb * MiB,
    };
    return bench.finish(checks, result, !o['no-write']);
  } finally {
    await bench.close(() => s3server?.close());
  }
}

runIfMain(import.meta.url, 'files', runFilesBench);
