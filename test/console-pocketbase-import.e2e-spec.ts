import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdminsService } from '@plinth/auth';
import type { Page } from 'playwright-core';
import { api, adminToken } from './support/auth.js';
import { buildConsoleIfStale, launchBrowser, type TestBrowser } from './support/browser.js';
import { generatePbData, type GeneratedPb } from './support/pocketbase-data.js';
import { startIsolatedApp } from './support/start-app.js';
import { zipDirectory } from './support/zip.js';

type App = Awaited<ReturnType<typeof startIsolatedApp>>;

const EMAIL = 'owner@example.com';
const PASSWORD = 'a long enough password';

/** Issue 19: Settings → Import from PocketBase — upload a backup zip, read the dry run, confirm. */
describe('console: import from PocketBase', () => {
  let t: App;
  let b: TestBrowser;
  let page: Page;
  let work: string;
  let pb: GeneratedPb;

  beforeAll(async () => {
    buildConsoleIfStale();
    work = mkdtempSync(join(tmpdir(), 'plinth-console-pb-'));
    pb = await generatePbData({ dir: join(work, 'pb_data'), users: 2, posts: 5, ids: 'uuid' });
    writeFileSync(join(work, 'pb_backup.zip'), zipDirectory(pb.dir));
    t = await startIsolatedApp({
      env: { PLINTH_AUTH_RATE_PER_IP: '1000', PLINTH_DATA_DIR: join(work, 'plinth') },
    });
    await t.app.get(AdminsService).create(EMAIL, PASSWORD);
    b = await launchBrowser({ width: 1280, height: 860 });
    page = b.page;
    page.setDefaultTimeout(20_000);
  }, 120_000);

  afterAll(async () => {
    await b?.close();
    await t?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('shows the dry-run report of an uploaded backup, then imports it on confirmation', async () => {
    await page.goto(`${t.url}/_/#/settings`);
    await page.fill('input[name=email]', EMAIL);
    await page.fill('input[name=password]', PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('link', { name: 'Import from PocketBase' }).click();
    await page.getByRole('heading', { level: 1, name: 'Import from PocketBase' }).waitFor();

    await page.locator('input[type=file]').setInputFiles(join(work, 'pb_backup.zip'));
    await page.getByTestId('pb-import-preview').click();
    const report = page.getByTestId('pb-import-report');
    await report.getByText('What the import will do').waitFor();
    await report.getByRole('cell', { name: 'posts', exact: true }).waitFor();
    await b.screenshot('pocketbase-import-01-dry-run');
    const admin = await adminToken(t);
    expect(
      (await api(t, admin)('GET', '/api/collections')).body.items.map((c: { name: string }) => c.name),
    ).toEqual(['users']);

    await page.getByTestId('pb-import-confirm').click();
    await report.getByText('What was imported').waitFor();
    await page.getByText('Imported. Users and admins sign in again').waitFor();
    await b.screenshot('pocketbase-import-02-done');
    const list = await api(t, admin)('GET', '/api/collections/posts/records?perPage=50');
    expect(list.body.items.map((r: { id: string }) => r.id).sort()).toEqual(pb.posts.map((p) => p.id).sort());
  });
});
