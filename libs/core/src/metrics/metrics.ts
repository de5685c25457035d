import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

type Labels = 'method' | 'route' | 'status';

/** One registry per app instance (tests run several apps in one process). */
@Injectable()
export class Metrics {
  readonly registry = new Registry();
  readonly httpDuration: Histogram<Labels>;
  readonly httpRequests: Counter<Labels>;

  constructor() {
    // prom-client's standard names (process_*, nodejs_*): stock Node.js dashboards and alerts expect
    // them unprefixed. Plinth's own metrics below carry the plinth_ prefix.
    collectDefaultMetrics({ register: this.registry });
    this.httpDuration = new Histogram({
      name: 'plinth_http_request_duration_seconds',
      help: 'HTTP request duration by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this.registry],
    });
    this.httpRequests = new Counter({
      name: 'plinth_http_requests_total',
      help: 'HTTP requests by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      registers: [this.registry],
    });
  }

  // The series of one method × route pattern × status, found once: prom-client would otherwise
  // hash the labels on every request. Bounded: routes are patterns, not URLs.
  private readonly series = new Map<
    string,
    { requests: Counter.Internal; duration: Histogram.Internal<Labels> }
  >();

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    const key = `${method} ${status} ${route}`;
    let series = this.series.get(key);
    if (!series) {
      const labels = { method, route, status: String(status) };
      series = { requests: this.httpRequests.labels(labels), duration: this.httpDuration.labels(labels) };
      this.series.set(key, series);
    }
    series.requests.inc();
    series.duration.observe(seconds);
  }
}
