import type { TestApp } from '../support/start-app.js';

/** How long one request takes, with its status: the yardstick of the outage tests. */
export async function timed(t: TestApp, path: string): Promise<{ status: number; ms: number }> {
  const start = performance.now();
  const res = await t.fetch(path);
  await res.arrayBuffer();
  return { status: res.status, ms: performance.now() - start };
}

/**
 * While `attack` runs, keeps asking `/api/health` and `read` (an unrelated, cheap read) one after
 * the other; returns the attack's result and the slowest answer of each seen meanwhile.
 */
export async function whileUnderAttack<T>(
  t: TestApp,
  read: string,
  attack: () => Promise<T>,
): Promise<{ result: T; health: { status: number; ms: number }; read: { status: number; ms: number } }> {
  let done = false;
  const worst = { health: { status: 0, ms: 0 }, read: { status: 0, ms: 0 } };
  const probe = async () => {
    // Give the attack a head start so the probes land while it runs (at least one round is made).
    await new Promise((r) => setTimeout(r, 50));
    do {
      for (const [key, path] of [
        ['health', '/api/health'],
        ['read', read],
      ] as const) {
        const answer = await timed(t, path);
        // The first status other than 200 sticks; the time is the slowest seen.
        worst[key] = {
          status: worst[key].status && worst[key].status !== 200 ? worst[key].status : answer.status,
          ms: Math.max(worst[key].ms, answer.ms),
        };
      }
      await new Promise((r) => setTimeout(r, 50));
    } while (!done);
  };
  const probing = probe();
  let result: T;
  try {
    result = await attack();
  } finally {
    done = true;
    await probing;
  }
  return { result, ...worst };
}

/**
 * "Stays responsive" in the outage tests: far below what the attacks cost before their fixes (seconds
 * to minutes of a blocked event loop or pool), and far above one answer on a loaded 2-core CI machine.
 */
export const RESPONSIVE_MS = 4000;
