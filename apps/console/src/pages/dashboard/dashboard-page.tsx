import { useCallback, useEffect, useMemo, useState } from 'react';
import type { StatsAnswer, StatsSeries } from '@plinth/sdk';
import { client, describeError } from '../../api/client';
import { Button, ErrorBanner, PageHeader, Spinner } from '../../components/ui';
import { TimeChart, type ChartLine } from './time-chart';
import './dashboard.css';

const RANGES = [
  { key: 'hour', label: 'Last hour', ms: 3_600_000, interval: 'minute' },
  { key: 'day', label: 'Last day', ms: 86_400_000, interval: 'hour' },
  { key: 'week', label: 'Last week', ms: 7 * 86_400_000, interval: 'hour' },
  { key: 'month', label: 'Last month', ms: 30 * 86_400_000, interval: 'day' },
] as const;
type RangeKey = (typeof RANGES)[number]['key'];

const COLORS = ['#2563eb', '#16a34a', '#d97706', '#dc2626', '#7c3aed', '#0891b2', '#db2777', '#65a30d'];

/** The sum per bucket of every series of `metric` whose dim passes `keep`. */
function sumOf(
  series: StatsSeries[],
  metric: string,
  length: number,
  keep: (dim: string) => boolean = () => true,
) {
  const out: Array<number | null> = Array.from({ length }, () => 0);
  for (const s of series) {
    if (s.metric !== metric || !keep(s.dim)) continue;
    s.values.forEach((v, i) => (out[i] = (out[i] ?? 0) + (v ?? 0)));
  }
  return out;
}

const totalOf = (series: StatsSeries[], metric: string, keep: (dim: string) => boolean = () => true) =>
  series.filter((s) => s.metric === metric && keep(s.dim)).reduce((n, s) => n + (s.total ?? 0), 0);

/** Requests, latency, errors, sign-ups, pushes and more over the last hour, day, week or month. */
export function DashboardPage() {
  const [range, setRange] = useState<RangeKey>('day');
  const [stats, setStats] = useState<StatsAnswer | null>(null);
  const [error, setError] = useState('');

  const load = useCallback(async () => {
    const r = RANGES.find((x) => x.key === range)!;
    const to = new Date();
    try {
      setStats(await client.stats.get({ from: new Date(to.getTime() - r.ms), to, interval: r.interval }));
      setError('');
    } catch (err) {
      setError(describeError(err));
    }
  }, [range]);
  useEffect(() => void load(), [load]);

  const view = useMemo(() => {
    if (!stats) return null;
    const s = stats.series;
    const n = stats.buckets.length;
    const line = (label: string, values: Array<number | null>, i: number): ChartLine => ({
      label,
      values,
      color: COLORS[i % COLORS.length]!,
    });
    const byDim = (metric: string) =>
      s.filter((x) => x.metric === metric).map((x, i) => line(x.dim || '(none)', x.values, i));
    const classes = ['2xx', '3xx', '4xx', '5xx'];
    return {
      requests: classes.map((c, i) =>
        line(
          c,
          sumOf(s, 'requests', n, (d) => d.startsWith(`${c}|`)),
          i,
        ),
      ),
      latency: ['latency_p50', 'latency_p95', 'latency_p99'].map((m, i) =>
        line(m.slice(8), s.find((x) => x.metric === m)?.values ?? [], i),
      ),
      users: [line('sign-ups', sumOf(s, 'signups', n), 0), line('sign-ins', sumOf(s, 'signins', n), 1)],
      push: [
        line('sent', sumOf(s, 'push_sends', n), 0),
        line('delivered', sumOf(s, 'push_delivered', n), 1),
        line('failed', sumOf(s, 'push_failed', n), 3),
      ],
      realtime: byDim('realtime_connections'),
      errors: s
        .filter((x) => x.metric === 'errors' && (x.total ?? 0) > 0)
        .sort((a, b) => (b.total ?? 0) - (a.total ?? 0)),
      records: s.filter((x) => x.metric === 'records'),
      byCollection: Object.entries(
        s
          .filter((x) => x.metric === 'requests')
          .reduce<Record<string, number>>((acc, x) => {
            const c = x.dim.split('|')[1] || '(other routes)';
            acc[c] = (acc[c] ?? 0) + (x.total ?? 0);
            return acc;
          }, {}),
      ).sort((a, b) => b[1] - a[1]),
      tiles: [
        ['Requests', totalOf(s, 'requests')],
        ['Errors (4xx/5xx)', totalOf(s, 'requests', (d) => d.startsWith('4') || d.startsWith('5'))],
        ['p95 latency', s.find((x) => x.metric === 'latency_p95')?.total ?? null, ' ms'],
        ['Sign-ups', totalOf(s, 'signups')],
        ['Sign-ins', totalOf(s, 'signins')],
        ['Pushes sent', totalOf(s, 'push_sends')],
      ] as Array<[string, number | null, string?]>,
    };
  }, [stats]);

  return (
    <>
      <PageHeader
        title="Dashboard"
        subtitle="What your backend did, from the statistics the server folds every minute (times in UTC buckets)."
        actions={<Button onClick={() => void load()}>Refresh</Button>}
      />
      <div className="dash-ranges" role="group" aria-label="Period">
        {RANGES.map((r) => (
          <Button
            key={r.key}
            small
            kind={r.key === range ? 'primary' : 'secondary'}
            onClick={() => setRange(r.key)}
          >
            {r.label}
          </Button>
        ))}
      </div>
      <ErrorBanner error={error} onDismiss={() => setError('')} />
      {!stats && !error ? <Spinner /> : null}
      {stats && view ? (
        <>
          <div className="dash-tiles" data-testid="dash-tiles">
            {view.tiles.map(([label, value, unit]) => (
              <div className="dash-tile" key={label}>
                <span className="muted small">{label}</span>
                <span className="value">
                  {value === null ? '–' : `${Math.round(value * 100) / 100}${unit ?? ''}`}
                </span>
              </div>
            ))}
          </div>
          <div className="dash-charts">
            <TimeChart
              title="Requests by status"
              buckets={stats.buckets}
              lines={view.requests}
              testId="chart-requests"
            />
            <TimeChart
              title="Latency (ms)"
              buckets={stats.buckets}
              lines={view.latency}
              unit=" ms"
              spanGaps
              testId="chart-latency"
            />
            <TimeChart
              title="Sign-ups and sign-ins"
              buckets={stats.buckets}
              lines={view.users}
              testId="chart-users"
            />
            <TimeChart
              title="Push notifications"
              buckets={stats.buckets}
              lines={view.push}
              testId="chart-push"
            />
            {view.realtime.length ? (
              <TimeChart
                title="Realtime connections"
                buckets={stats.buckets}
                lines={view.realtime}
                testId="chart-realtime"
              />
            ) : null}
          </div>
          <div className="dash-tables">
            <section>
              <h2>Requests by collection</h2>
              <table className="table" data-testid="requests-by-collection">
                <tbody>
                  {view.byCollection.map(([c, n]) => (
                    <tr key={c}>
                      <td>{c}</td>
                      <td className="num">{n}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
            <section>
              <h2>Errors by code</h2>
              {view.errors.length ? (
                <table className="table" data-testid="errors-by-code">
                  <tbody>
                    {view.errors.map((e) => (
                      <tr key={e.dim}>
                        <td className="mono">{e.dim}</td>
                        <td className="num">{e.total}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              ) : (
                <p className="muted">No errors in this period.</p>
              )}
            </section>
            <section>
              <h2>Records per collection</h2>
              <table className="table" data-testid="records-per-collection">
                <tbody>
                  {view.records.map((r) => (
                    <tr key={r.dim}>
                      <td>{r.dim}</td>
                      <td className="num">{r.total ?? '–'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          </div>
        </>
      ) : null}
    </>
  );
}
