/**
 * Runs `shutdown` once on SIGTERM or SIGINT and exits with its code (0 when it succeeds).
 * A second signal while shutting down exits at once with 1.
 */
export function onShutdownSignal(
  shutdown: (signal: string) => Promise<void>,
  log: (m: string) => void,
): void {
  let started = false;
  const handle = (signal: NodeJS.Signals) => {
    if (started) {
      log(`Received ${signal} again; exiting now`);
      process.exit(1);
    }
    started = true;
    shutdown(signal).then(
      () => process.exit(0),
      (err: unknown) => {
        log(`Shutdown failed: ${err instanceof Error ? err.message : String(err)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', handle);
  process.on('SIGINT', handle);
}

/** Resolves when `work` settles or after `ms`, whichever is first; true when it finished in time. */
export async function settleWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([work.then(() => true).catch(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
