import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { eventually } from '@plinth/testing';
import { adminToken, api } from './support/auth.js';
import { launchBrowser, type TestBrowser } from './support/browser.js';
import { createKey, ok } from './support/records.js';
import { startIsolatedApp } from './support/start-app.js';
import { serveStatic } from './support/static-server.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const EXAMPLE = path.join(ROOT, 'examples/todo-web');
const run = promisify(execFile);

/** Runs a command; answers its exit code and output instead of throwing. */
async function exec(file: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(file, args, {
      cwd,
      env: { ...process.env, NODE_OPTIONS: '', ...env },
    });
    return { code: 0, output: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

/** What the test reads of an <img> in the page (the root tsconfig has no DOM types). */
type ImageElement = { complete: boolean; naturalWidth: number; naturalHeight: number };

declare const document: { activeElement: { getAttribute(name: string): string | null } | null };

/** A command's result as a test reads it: its output only when it failed. */
const outcome = (r: { code: number; output: string }) => ({ code: r.code, output: r.code ? r.output : '' });

const todoTitles = (page: Page) => page.locator('li.todo .title').allTextContents();

describe('examples/todo-web: the sample app, built from the SDK its server serves, in Chromium', () => {
  let t: Awaited<ReturnType<typeof startIsolatedApp>>;
  let dir: string;
  let site: Awaited<ReturnType<typeof serveStatic>>;
  let browser: TestBrowser;
  let npmFlags: string[];

  beforeAll(async () => {
    // The server packs the SDK that `npm run build` leaves in sdk/dist.
    await run(process.execPath, [path.join(ROOT, 'scripts/build-sdk.mjs'), '--if-stale'], { cwd: ROOT });
    t = await startIsolatedApp();
    dir = await mkdtemp(path.join(os.tmpdir(), 'plinth-todo-web-'));
    // A copy of the example as a fresh clone has it (no node_modules, no dist).
    await cp(EXAMPLE, dir, {
      recursive: true,
      filter: (src) => !/[/\\](node_modules|dist)$/.test(src),
    });
    // Nothing may come from a registry: the SDK comes from the server and has no dependencies.
    npmFlags = [
      '--no-audit',
      '--no-fund',
      '--ignore-scripts',
      '--registry=http://127.0.0.1:9/',
      `--cache=${path.join(dir, '.npm-cache')}`,
    ];
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await t?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('has a README that runs it in five commands, the ones this test runs', async () => {
    const readme = await readFile(path.join(EXAMPLE, 'README.md'), 'utf8');
    const block = /## Run it[\s\S]*?```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    const commands = block
      .split('\n')
      .map((line) => line.replace(/\s+#.*$/, '').trim())
      .filter(Boolean);
    expect(commands).toEqual([
      'npm ci && npm start',
      'cd examples/todo-web',
      'npx -y -p http://localhost:8090/api/sdk.tgz plinth schema apply schema.json --url http://localhost:8090 --key plk_…',
      'npm install',
      'npm run dev',
    ]);
  });

  it('applies its schema with the SDK’s plinth command, installs the SDK from the server and builds', async () => {
    const key = await createKey(t, await adminToken(t), ['admin']);
    const sdk = `${t.url}/api/sdk.tgz`;
    // README step 3: the SDK package's `plinth` command, run straight from the server.
    const applied = await exec(
      'npx',
      [
        '-y',
        '-p',
        sdk,
        ...npmFlags,
        'plinth',
        'schema',
        'apply',
        'schema.json',
        '--url',
        t.url,
        '--key',
        key,
      ],
      dir,
    );
    expect(outcome(applied)).toEqual({ code: 0, output: '' });
    expect(applied.output).toContain('+ create collection todos');

    // package.json names the SDK at http://localhost:8090; this server listens elsewhere.
    const manifest = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8'));
    expect(manifest.dependencies).toEqual({ '@plinth/sdk': 'http://localhost:8090/api/sdk.tgz' });
    manifest.dependencies['@plinth/sdk'] = sdk;
    await writeFile(path.join(dir, 'package.json'), JSON.stringify(manifest));
    // README step 4.
    const install = await exec('npm', ['install', ...npmFlags], dir);
    expect(outcome(install)).toEqual({ code: 0, output: '' });

    // Inside the repository the example uses the root's Vite and TypeScript; the copy links to them.
    await symlink(path.join(ROOT, 'node_modules/vite'), path.join(dir, 'node_modules/vite'), 'dir');
    const build = await exec('npm', ['run', 'build'], dir, {
      PATH: `${path.join(ROOT, 'node_modules/.bin')}${path.delimiter}${process.env.PATH}`,
      VITE_PLINTH_URL: t.url,
    });
    expect(outcome(build)).toEqual({ code: 0, output: '' });
    site = await serveStatic(path.join(dir, 'dist'));
  }, 120_000);

  it('signs up, adds, toggles and deletes todos live across two tabs, and shows an image’s thumbnail', async () => {
    expect(site).toBeDefined();
    browser = await launchBrowser({ screenshotDir: path.resolve('test-output/example-todo-web') });
    const tab1 = browser.page;
    const tab2 = await browser.context.newPage();
    await tab1.goto(site.url);
    await tab2.goto(site.url);
    await tab2.getByRole('button', { name: 'Sign in' }).waitFor();

    await tab1.getByLabel('Email').fill('ann@example.com');
    await tab1.getByLabel(/^Password/).fill('ann-password-1');
    await tab1.getByRole('button', { name: 'Sign up' }).click();
    await tab1.getByText('Signed in as ann@example.com').waitFor();
    // The second tab shares the browser's session (LocalAuthStore) and follows the sign-in by itself.
    await tab2.getByText('Signed in as ann@example.com').waitFor();
    await tab2.getByText('Nothing to do yet').waitFor();

    for (const title of ['Buy milk', 'Write the report']) {
      await tab1.getByLabel('New todo').fill(title);
      await tab1.getByRole('button', { name: 'Add' }).click();
      await tab1.locator('li.todo', { hasText: title }).waitFor();
    }
    await eventually(async () => (await todoTitles(tab2)).join() === 'Buy milk,Write the report');
    await browser.screenshot('1-two-todos-tab-2', tab2);

    // Toggled in the second tab, shown done in the first; deleted in the first, gone from the second.
    // With the keyboard: the row is drawn again, and the focus stays on its checkbox.
    await tab2.getByRole('checkbox', { name: 'Done: Buy milk' }).focus();
    await tab2.keyboard.press('Space');
    await tab2.locator('li.todo.done', { hasText: 'Buy milk' }).waitFor();
    expect(await tab2.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(
      'Done: Buy milk',
    );
    await tab1.locator('li.todo.done', { hasText: 'Buy milk' }).waitFor();
    expect(await tab1.getByRole('checkbox', { name: 'Done: Buy milk' }).isChecked()).toBe(true);
    await tab1.getByRole('button', { name: 'Delete “Write the report”' }).click();
    await eventually(async () => (await todoTitles(tab2)).join() === 'Buy milk');
    expect(await todoTitles(tab1)).toEqual(['Buy milk']);

    const image = await sharp({
      create: { width: 320, height: 200, channels: 3, background: { r: 52, g: 81, b: 209 } },
    })
      .png()
      .toBuffer();
    await tab1.getByLabel('New todo').fill('File the receipt');
    await tab1
      .getByLabel('Image (optional)')
      .setInputFiles({ name: 'receipt.png', mimeType: 'image/png', buffer: image });
    await tab1.getByRole('button', { name: 'Add' }).click();
    // The thumbnail (100x100, cut from the 320x200 image) loads in both tabs, through a file token.
    for (const tab of [tab1, tab2]) {
      const thumb = tab.getByRole('img', { name: 'Attachment of “File the receipt”' });
      await thumb.waitFor();
      const size = await eventually(() =>
        thumb.evaluate(
          (img: ImageElement) =>
            img.complete && img.naturalWidth > 0 && [img.naturalWidth, img.naturalHeight],
        ),
      );
      expect(size).toEqual([100, 100]);
      expect(await thumb.getAttribute('src')).toMatch(/[?&]thumb=100x100&token=/);
    }
    await browser.screenshot('2-attachment-tab-1', tab1);
    await browser.screenshot('3-attachment-tab-2', tab2);
    expect(browser.pageErrors).toEqual([]);
  });

  const signInAs = async (identity: string, password: string) => {
    const res = ok(await api(t)('POST', '/api/collections/users/auth-with-password', { identity, password }));
    return res.body as { token: string; record: { id: string } };
  };

  it('shows each user only their own todos', async () => {
    const tab1 = browser.page;
    const tabs = browser.context.pages();
    await tab1.getByRole('button', { name: 'Sign out' }).click();
    for (const tab of tabs) await tab.getByRole('button', { name: 'Sign in' }).waitFor();

    await tab1.getByLabel('Email').fill('bob@example.com');
    await tab1.getByLabel(/^Password/).fill('bob-password-1');
    await tab1.getByRole('button', { name: 'Sign up' }).click();
    for (const tab of tabs) {
      await tab.getByText('Signed in as bob@example.com').waitFor();
      await tab.getByText('Nothing to do yet').waitFor();
      expect(await todoTitles(tab)).toEqual([]);
    }
    await browser.screenshot('4-second-user', tab1);

    // The API agrees: Bob's list is empty and Ann's todo is not found for him; Ann's files need her token.
    const bob = await signInAs('bob@example.com', 'bob-password-1');
    const { token } = bob;
    const asBob = api(t, token);
    const asAnn = api(t, (await signInAs('ann@example.com', 'ann-password-1')).token);
    const anns = ok(await asAnn('GET', '/api/collections/todos/records')).body.items;
    expect(anns.map((r: { title: string }) => r.title)).toEqual(['File the receipt', 'Buy milk']);
    expect(ok(await asBob('GET', '/api/collections/todos/records')).body.items).toEqual([]);
    const annsTodo = `/api/collections/todos/records/${anns[0].id}`;
    expect((await asBob('GET', annsTodo)).status).toBe(404);
    expect((await asBob('PATCH', annsTodo, { done: true })).status).toBe(404);
    expect((await asBob('DELETE', annsTodo)).status).toBe(404);
    // Nobody creates todos in another's name, nor hands theirs over.
    const ann = anns[0].owner as string;
    expect((await asBob('POST', '/api/collections/todos/records', { title: 'x', owner: ann })).status).toBe(
      403,
    );
    expect((await asAnn('PATCH', annsTodo, { owner: bob.record.id })).status).toBe(403);
    expect(ok(await asAnn('PATCH', annsTodo, { owner: ann, done: true })).body.done).toBe(true);
    expect(browser.pageErrors).toEqual([]);
  });
});
