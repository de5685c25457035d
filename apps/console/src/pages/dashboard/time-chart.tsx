import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartLine {
  label: string;
  values: Array<number | null>;
  color: string;
}

/** One time series chart (uPlot: small, canvas, no HTML from data). Labels are set as text. */
export function TimeChart(props: {
  title: string;
  buckets: string[];
  lines: ChartLine[];
  unit?: string;
  /** Join values across empty buckets (latency: no requests is no value, not zero). */
  spanGaps?: boolean;
  testId?: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const { buckets, lines, unit } = props;

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const xs = buckets.map((b) => new Date(b).getTime() / 1000);
    const data: uPlot.AlignedData = [xs, ...lines.map((l) => l.values)];
    const width = Math.max(200, el.clientWidth || 600);
    const plot = new uPlot(
      {
        width,
        height: 200,
        series: [
          {},
          ...lines.map((l) => ({
            label: l.label,
            stroke: l.color,
            width: 2,
            spanGaps: props.spanGaps ?? false,
            // A lone value between gaps draws no line: show the points while there are few.
            points: { show: l.values.filter((v) => v !== null).length < 3 },
            value: (_u: uPlot, v: number | null) => (v === null ? '–' : `${v}${unit ?? ''}`),
          })),
        ],
        axes: [{}, { size: 72, values: (_u, ticks) => ticks.map((t) => `${t}${unit ?? ''}`) }],
        scales: { y: { range: (_u, min, max): uPlot.Range.MinMax => [0, Math.max(1, max ?? 1, min ?? 0)] } },
        legend: { show: true },
      },
      data,
      el,
    );
    const resize = () => plot.setSize({ width: Math.max(200, el.clientWidth || width), height: 200 });
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      plot.destroy();
    };
  }, [buckets, lines, unit, props.spanGaps]);

  const total = lines.reduce((n, l) => n + l.values.filter((v) => v !== null).length, 0);
  return (
    <figure className="chart" data-testid={props.testId}>
      <figcaption>{props.title}</figcaption>
      <div
        ref={box}
        className="chart-plot"
        role="img"
        aria-label={`${props.title}: ${lines.map((l) => l.label).join(', ')}`}
      />
      {total === 0 ? <p className="muted small">No data in this period yet.</p> : null}
    </figure>
  );
}
