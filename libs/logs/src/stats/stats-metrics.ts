/** The statistics kept, their grains and how they fold from one grain into the next (issue 23). */

export const GRAINS = ['minute', 'hour', 'day'] as const;
export type Grain = (typeof GRAINS)[number];
export const GRAIN_MS: Record<Grain, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** Snapshots: an hour or day holds the last minute's value, not a sum. */
export const GAUGES = ['records', 'realtime_connections'] as const;
const GAUGE_SET = new Set<string>(GAUGES);
export const isGauge = (metric: string) => GAUGE_SET.has(metric);

/**
 * Lower bounds (ms) of the latency histogram's buckets. Counts per bucket add up from minutes to hours
 * and days, so percentiles of any period come from its merged histogram (interpolated in a bucket).
 */
export const LATENCY_BOUNDS = [
  0, 1, 2, 3, 5, 7.5, 10, 15, 20, 30, 50, 75, 100, 150, 200, 300, 500, 750, 1000, 1500, 2000, 3000, 5000,
  10000, 30000,
];

/** How long each grain's rows are kept (the rollup deletes older ones). */
export const KEEP_DAYS: Record<Grain, number> = { minute: 2, hour: 90, day: 800 };

/**
 * The q-quantile (0..1) of a latency histogram given as count per bucket lower bound, linearly
 * interpolated inside its bucket; null without requests.
 */
export function quantile(histogram: ReadonlyMap<number, number>, q: number): number | null {
  const bounds = [...histogram.keys()].sort((a, b) => a - b);
  const total = bounds.reduce((n, b) => n + histogram.get(b)!, 0);
  if (!total) return null;
  const rank = q * total;
  let seen = 0;
  for (const lower of bounds) {
    const count = histogram.get(lower)!;
    if (seen + count >= rank) {
      const i = LATENCY_BOUNDS.indexOf(lower);
      const upper = LATENCY_BOUNDS[i + 1] ?? lower * 2;
      const within = count ? (rank - seen) / count : 0;
      return Math.round((lower + (upper - lower) * within) * 100) / 100;
    }
    seen += count;
  }
  return bounds.at(-1)!;
}
