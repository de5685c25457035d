// Reads a process's memory and CPU from /proc (Linux only).
/* global setInterval, clearInterval */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let clkTck = 100;
try {
  clkTck = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
} catch {
  /* 100 on every Linux this runs on */
}

/** Resident set size in bytes (VmRSS), or null when the process is gone. */
export function rssBytes(pid) {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** CPU seconds (user + system) the process has used, or null when it is gone. */
export function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After "pid (comm) ": state is fields[0]; utime and stime are the 14th and 15th fields overall.
    return (Number(fields[11]) + Number(fields[12])) / clkTck;
  } catch {
    return null;
  }
}

/**
 * Samples a server process while load runs: peak and mean RSS every `everyMs`, and CPU use
 * (percent of one core) over the whole window. `extraPids()` may name more processes whose CPU
 * is summed apart (the database backends serving that server).
 */
export function startSampler(pid, { everyMs = 250, extraPids } = {}) {
  const t0 = process.hrtime.bigint();
  const cpu0 = cpuSeconds(pid) ?? 0;
  const extra0 = new Map();
  const rss = [];
  let timer;
  const ready = (async () => {
    for (const p of (await extraPids?.()) ?? []) extra0.set(p, cpuSeconds(p) ?? 0);
  })();
  const sample = () => {
    const r = rssBytes(pid);
    if (r !== null) rss.push(r);
  };
  sample();
  timer = setInterval(sample, everyMs);
  return {
    ready,
    async stop() {
      clearInterval(timer);
      sample();
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      const cpu = ((cpuSeconds(pid) ?? cpu0) - cpu0) / seconds;
      let dbCpu = null;
      if (extraPids) {
        dbCpu = 0;
        for (const p of (await extraPids()) ?? []) {
          const now = cpuSeconds(p);
          if (now !== null) dbCpu += now - (extra0.get(p) ?? 0);
        }
        dbCpu /= seconds;
      }
      return {
        rssPeak: rss.length ? Math.max(...rss) : null,
        rssMean: rss.length ? rss.reduce((a, b) => a + b, 0) / rss.length : null,
        cpuPct: cpu * 100,
        dbCpuPct: dbCpu === null ? null : dbCpu * 100,
      };
    },
  };
}
