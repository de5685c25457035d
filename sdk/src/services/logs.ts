import type { PlinthClient } from '../client.js';
import type { ApiAnswer, RequestOptions } from '../types.js';

const req = (opts?: RequestOptions) => ({ signal: opts?.signal, headers: opts?.headers });

export type LogList = ApiAnswer<'/api/logs', 'get'>;
export type LogEntry = ApiAnswer<'/api/logs/{id}', 'get'>;

export interface LogListQuery {
  /** Record filter grammar over the entry's fields: `status >= 400 && url ~ "/api/collections"`. */
  filter?: string;
  /** Default `-created`; e.g. `-duration`. */
  sort?: string;
  page?: number;
  perPage?: number;
}

/** Admin: request logs (`/api/logs`) of every server. */
export class LogsService {
  constructor(private readonly client: PlinthClient<unknown>) {}

  list(query: LogListQuery = {}, options: RequestOptions = {}): Promise<LogList> {
    return this.client.send('/api/logs', { query: { ...query }, ...req(options) });
  }

  get(id: string, options: RequestOptions = {}): Promise<LogEntry> {
    return this.client.send(`/api/logs/${encodeURIComponent(id)}`, req(options));
  }
}
