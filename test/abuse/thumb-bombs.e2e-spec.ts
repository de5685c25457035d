import { mkdtemp, readdir, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import sharp from 'sharp';
import { adminToken } from '../support/auth.js';
import { createCollection } from '../support/records.js';
import { startIsolatedApp } from '../support/start-app.js';

type App = Awaited<ReturnType<typeof startIsolatedApp>>;

/** A single-colour PNG: a few hundred KB on the wire for 100 megapixels, ~300 MB once decoded. */
const png = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 3, background: { r: 10, g: 120, b: 200 } } })
    .png()
    .toBuffer();

async function upload(t: App, bytes: Buffer): Promise<string> {
  const data = new FormData();
  data.append('image', new Blob([new Uint8Array(bytes)], { type: 'image/png' }), 'big.png');
  const res = await t.fetch('/api/collections/pics/records', { method: 'POST', body: data });
  const body = (await res.json()) as { id: string; image: string };
  expect(res.status).toBe(200);
  return `/api/files/pics/${body.id}/${body.image}`;
}

async function thumbsStored(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true }).catch(() => [])) {
      if (e.isDirectory()) await walk(join(d, e.name));
      else if (d.includes('thumbs_')) out.push(e.name);
    }
  };
  await walk(dir);
  return out;
}

describe('abuse: thumbnails of decompression bombs', () => {
  let t: App;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'plinth-thumb-bombs-'));
    t = await startIsolatedApp({ env: { PLINTH_DATA_DIR: dataDir } });
    const admin = await adminToken(t);
    await createCollection(t, admin, {
      name: 'pics',
      fields: [
        {
          name: 'image',
          type: 'file',
          maxSize: 20_000_000,
          thumbs: ['100x100', '200x200', '50x50t', '300x0', '80x80f'],
        },
      ],
      viewRule: '',
      createRule: '',
    });
  });
  afterAll(async () => {
    // Every answer was read in full; a keep-alive socket whose answer the server is still closing out
    // would otherwise hold close() until its keep-alive timeout (72 s).
    (t?.app.getHttpServer() as Server | undefined)?.closeAllConnections();
    await t?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('serves the original of a 10,000 × 10,000 PNG instead of decoding it', async () => {
    const bomb = await png(10_000, 10_000);
    const path = await upload(t, bomb);
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 10);
    const answers = await Promise.all(
      ['100x100', '200x200', '50x50t', '300x0', '80x80f'].map(async (size) => {
        const res = await t.fetch(`${path}?thumb=${size}`);
        return { size, status: res.status, bytes: Buffer.from(await res.arrayBuffer()) };
      }),
    );
    clearInterval(sampler);
    for (const a of answers) {
      expect([a.size, a.status, a.bytes.equals(bomb)]).toEqual([a.size, 200, true]);
    }
    expect(await thumbsStored(dataDir)).toEqual([]);
    // Five decodes of 100 megapixels would take hundreds of MB each; reading headers takes next to none.
    expect((rssPeak - rssBefore) / 2 ** 20).toBeLessThan(150);
  });

  it('still makes thumbnails of images up to 25 megapixels, and not of one pixel row more', async () => {
    const atCap = await upload(t, await png(5000, 5000));
    const res = await t.fetch(`${atCap}?thumb=100x100`);
    const meta = await sharp(Buffer.from(await res.arrayBuffer())).metadata();
    expect([res.status, meta.width, meta.height]).toEqual([200, 100, 100]);

    const over = await png(5000, 5001);
    const overPath = await upload(t, over);
    const served = await t.fetch(`${overPath}?thumb=100x100`);
    expect(served.status).toBe(200);
    expect(Buffer.from(await served.arrayBuffer()).equals(over)).toBe(true);
  });
});
