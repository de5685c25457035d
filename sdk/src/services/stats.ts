import type { PlinthClient } from '../client.js';
import type { RequestOptions } from '../types.js';

export interface StatsSeries {
  /** requests, errors, signups, signins, records, push_sends, push_delivered, push_failed, realtime_connections, latency_p50|p95|p99 */
  metric: string;
  /** requests: `<class>|<collection>`; errors: the code; signups/signins/records: the collection; push: the provider. */
  dim: string;
  values: Array<number | null>;
  total: number | null;
}

export interface StatsAnswer {
  interval: 'minute' | 'hour' | 'day';
  from: string;
  to: string;
  buckets: string[];
  series: StatsSeries[];
}

export interface StatsQuery {
  /** ISO 8601 or a Date; default 24 hours before `to`. */
  from?: string | Date;
  to?: string | Date;
  interval?: 'minute' | 'hour' | 'day';
}

/** Admin: usage statistics (`/api/stats`) as time series. */
export class StatsService {
  constructor(private readonly client: PlinthClient<unknown>) {}

  get(query: StatsQuery = {}, options: RequestOptions = {}): Promise<StatsAnswer> {
    const iso = (d?: string | Date) => (d instanceof Date ? d.toISOString() : d);
    return this.client.send('/api/stats', {
      query: { from: iso(query.from), to: iso(query.to), interval: query.interval },
      signal: options.signal,
      headers: options.headers,
    });
  }
}
