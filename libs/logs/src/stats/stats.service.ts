import { Injectable } from '@nestjs/common';
import { AppError } from '@plinth/core';
import { GRAIN_MS, GRAINS, isGauge, quantile, type Grain } from './stats-metrics.js';
import { StatsRepository } from './stats.repository.js';

/** At most this many buckets per answer: a month by minutes asks for hours instead. */
export const MAX_BUCKETS = 1500;
const DAY_MS = GRAIN_MS.day;

export interface StatsSeries {
  metric: string;
  dim: string;
  /** One value per bucket (null: no value, e.g. a gauge before its first snapshot or a percentile without requests). */
  values: Array<number | null>;
  /** Sum over the range; a gauge's last value; a percentile's over the whole range. */
  total: number | null;
}

const PERCENTILES: Array<[string, number]> = [
  ['latency_p50', 0.5],
  ['latency_p95', 0.95],
  ['latency_p99', 0.99],
];

function parseTime(value: unknown, name: string, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const text = String(value);
  const ms = /^\d{1,15}$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(ms)) {
    throw new AppError(
      'VALIDATION_FAILED',
      `${name} must be a date-time (ISO 8601) or milliseconds since 1970.`,
      {
        errors: [{ path: name, code: 'INVALID_VALUE', message: 'is not a date-time' }],
      },
    );
  }
  return ms;
}

/** Time series from the rollups (never from the request log itself), so a month answers at once. */
@Injectable()
export class StatsService {
  constructor(private readonly repo: StatsRepository) {}

  async series(query: Record<string, unknown>) {
    const now = Date.now();
    const to = parseTime(query.to, 'to', now);
    const from = parseTime(query.from, 'from', to - DAY_MS);
    if (from >= to) {
      throw new AppError('VALIDATION_FAILED', '`from` must be before `to`.', {
        errors: [{ path: 'from', code: 'INVALID_VALUE', message: 'must be before to' }],
      });
    }
    const span = to - from;
    const interval = (query.interval ??
      (span <= 6 * 3_600_000 ? 'minute' : span <= 14 * DAY_MS ? 'hour' : 'day')) as Grain;
    if (!GRAINS.includes(interval)) {
      throw new AppError('VALIDATION_FAILED', 'interval must be minute, hour or day.', {
        errors: [{ path: 'interval', code: 'INVALID_VALUE', message: 'must be minute, hour or day' }],
      });
    }
    const step = GRAIN_MS[interval];
    const start = Math.floor(from / step) * step; // UTC buckets (the rollup runs in UTC)
    const count = Math.ceil((to - start) / step);
    if (count > MAX_BUCKETS) {
      throw new AppError(
        'VALIDATION_FAILED',
        `That range has ${count} ${interval}s; at most ${MAX_BUCKETS} buckets are answered. Ask for a coarser interval (hour or day) or a shorter range.`,
        {
          errors: [
            { path: 'interval', code: 'TOO_MANY_BUCKETS', message: `more than ${MAX_BUCKETS} buckets` },
          ],
        },
      );
    }
    const buckets = Array.from({ length: count }, (_, i) => start + i * step);
    const rows = await this.repo.read(interval, new Date(start), new Date(to));

    const series = new Map<string, StatsSeries>();
    const histograms = buckets.map(() => new Map<number, number>());
    const whole = new Map<number, number>();
    for (const r of rows) {
      const i = Math.floor((new Date(r.bucket).getTime() - start) / step);
      if (i < 0 || i >= count) continue;
      if (r.metric === 'latency_ms') {
        const lower = Number(r.dim);
        histograms[i]!.set(lower, (histograms[i]!.get(lower) ?? 0) + r.value);
        whole.set(lower, (whole.get(lower) ?? 0) + r.value);
        continue;
      }
      const key = `${r.metric}\u0000${r.dim}`;
      let s = series.get(key);
      if (!s) {
        s = {
          metric: r.metric,
          dim: r.dim,
          values: buckets.map(() => (isGauge(r.metric) ? null : 0)),
          total: null,
        };
        series.set(key, s);
      }
      s.values[i] = r.value;
    }
    for (const s of series.values()) {
      s.total = isGauge(s.metric)
        ? (s.values.filter((v) => v !== null).at(-1) ?? null)
        : s.values.reduce<number>((n, v) => n + (v ?? 0), 0);
    }
    const latency = PERCENTILES.map(([metric, q]) => ({
      metric,
      dim: '',
      values: histograms.map((h) => quantile(h, q)),
      total: quantile(whole, q),
    }));
    const ordered = [...series.values()].sort(
      (a, b) => a.metric.localeCompare(b.metric) || a.dim.localeCompare(b.dim),
    );
    return {
      interval,
      from: new Date(start).toISOString(),
      to: new Date(to).toISOString(),
      buckets: buckets.map((b) => new Date(b).toISOString()),
      series: [...ordered, ...latency],
    };
  }
}
