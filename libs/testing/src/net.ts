import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * The ports the kernel hands out for outgoing connections and `listen(0)`: a port chosen among them
 * and handed to a spawned server can be taken in between by any connection (a freePort race).
 */
function ephemeralLow(): number {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
  } catch {
    return 32768;
  }
}

const canListen = (port: number): Promise<number | null> =>
  new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(null));
    server.listen(port, '127.0.0.1', () => {
      const { port: bound } = server.address() as { port: number };
      server.close(() => resolve(bound));
    });
  });

/**
 * A TCP port that was free a moment ago on 127.0.0.1, chosen at random below the ephemeral range
 * (so no outgoing connection or `listen(0)` takes it before the server it is meant for binds it).
 */
export async function freePort(): Promise<number> {
  const low = ephemeralLow();
  if (low > 11_000) {
    for (let i = 0; i < 50; i++) {
      const port = await canListen(low - 10_000 + Math.floor(Math.random() * 10_000));
      if (port) return port;
    }
  }
  return (await canListen(0))!;
}

/** Thrown from an `eventually` check to stop polling at once. */
export class GiveUp extends Error {}

/**
 * Polls `check` until it returns a truthy value or the timeout (10 s unless told) passes; a throw
 * counts as not yet, and the last one is named when it gives up. Tests wait with this, never a sleep.
 */
export async function eventually<T>(
  check: () => Promise<T> | T,
  timeout: number | { timeout?: number; interval?: number } = 10_000,
  interval = 100,
): Promise<T> {
  const timeoutMs = typeof timeout === 'number' ? timeout : (timeout.timeout ?? 10_000);
  const intervalMs = typeof timeout === 'number' ? interval : (timeout.interval ?? interval);
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (err) {
      if (err instanceof GiveUp) throw err;
      last = err;
    }
    if (Date.now() > end) {
      throw new Error(`Condition not met within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
