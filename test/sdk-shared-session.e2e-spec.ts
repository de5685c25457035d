import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { api } from './support/auth.js';
import { ok } from './support/records.js';
import { documentedFetch, startIsolatedApp } from './support/start-app.js';
import { createClient, MemoryAuthStore, type FetchLike } from '../sdk/src/index.js';

const PASSWORD = 'password-123456';

/** One session for several clients, as browser tabs share LocalAuthStore; `exclusive` is its lock. */
class SharedStore extends MemoryAuthStore {
  private queue: Promise<unknown> = Promise.resolve();

  exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

/** A fetch that records the paths it was asked for and can hold back auth-refresh answers. */
function watchedFetch() {
  const paths: string[] = [];
  let hold: Promise<void> | null = null;
  const fetch: FetchLike = async (input, init) => {
    paths.push(new URL(input).pathname);
    const res = await documentedFetch(input, init);
    if (hold && input.endsWith('/auth-refresh')) await hold;
    return res;
  };
  return { fetch, paths, holdRefreshes: (until: Promise<void>) => (hold = until) };
}

describe('SDK: one session shared by several clients (browser tabs)', () => {
  let t: Awaited<ReturnType<typeof startIsolatedApp>>;

  beforeAll(async () => {
    t = await startIsolatedApp({ env: { PLINTH_ACCESS_TOKEN_TTL: '30' } });
    for (const email of ['ann@example.com', 'bob@example.com']) {
      ok(
        await api(t)('POST', '/api/collections/users/records', {
          email,
          password: PASSWORD,
          passwordConfirm: PASSWORD,
        }),
      );
    }
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('refreshes one at a time under the store’s lock, so the rotating refresh token is sent once', async () => {
    const store = new SharedStore();
    const watched = watchedFetch();
    // A 60 s margin on 30 s tokens: every call of either client finds the token about to expire.
    const tabs = [1, 2].map(() =>
      createClient({ url: t.url, authStore: store, refreshMargin: 60, fetch: watched.fetch }),
    );
    await tabs[0]!.collection('users').authWithPassword('ann@example.com', PASSWORD);
    const first = store.refreshToken;

    const calls = tabs.flatMap((tab) => [1, 2, 3].map(() => tab.collection('users').getList(1, 1)));
    const pages = await Promise.all(calls);
    expect(pages.map((p) => p.items.length)).toEqual([1, 1, 1, 1, 1, 1]);
    // Each client refreshed once, the second with the token the first one stored: nobody reused one.
    expect(watched.paths.filter((p) => p.endsWith('/auth-refresh'))).toHaveLength(2);
    expect(store.refreshToken).not.toBe(first);
    expect(store.record).toMatchObject({ email: 'ann@example.com' });
    const me = await tabs[1]!.collection('users').getList(1, 1);
    expect(me.items[0]).toMatchObject({ email: 'ann@example.com' });
  });

  it('keeps a session signed in while an older one was refreshing', async () => {
    const store = new SharedStore();
    const watched = watchedFetch();
    const tab = createClient({ url: t.url, authStore: store, refreshMargin: 60, fetch: watched.fetch });
    await tab.collection('users').authWithPassword('ann@example.com', PASSWORD);
    let release!: () => void;
    watched.holdRefreshes(new Promise<void>((resolve) => (release = resolve)));
    const call = tab.collection('users').getList(1, 1);
    while (!watched.paths.some((p) => p.endsWith('/auth-refresh'))) await new Promise((r) => setImmediate(r));

    // Meanwhile another tab signs out and Bob signs in there.
    const other = createClient({ url: t.url, authStore: store, refreshMargin: 0 });
    await other.collection('users').authWithPassword('bob@example.com', PASSWORD);
    release();
    await call;
    expect(store.record).toMatchObject({ email: 'bob@example.com' });
    const page = await other.collection('users').getList(1, 1);
    expect(page.items[0]).toMatchObject({ email: 'bob@example.com' });
  });
});
