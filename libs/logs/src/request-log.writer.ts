import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { Metrics, newId, PLINTH_CONFIG, type ResolvedConfig } from '@plinth/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Counter } from 'prom-client';
import {
  authOf,
  cleanText,
  MAX_ERROR_MESSAGE,
  MAX_USER_AGENT,
  redactRequestUrl,
  type LogEntry,
} from './log-entry.js';
import { RequestLogRepository } from './request-log.repository.js';

/** Entries per INSERT; a full batch is written at once instead of waiting for the timer. */
export const BATCH_SIZE = 500;
/** Entries waiting at most; beyond, new ones are dropped (and counted) rather than memory growing. */
export const MAX_BUFFERED = 10_000;
const FLUSH_EVERY_MS = 1000;
/** Probes would drown the log; everything else under /api is kept. */
const UNLOGGED_ROUTES = new Set(['/api/health', '/api/ready']);

/**
 * Collects one entry per API request (from the onResponse hook) and writes them in batches off the
 * request path: a slow or missing log table never slows or fails a request; lost entries are
 * counted in `plinth_request_logs_dropped_total`.
 */
@Injectable()
export class RequestLogWriter implements BeforeApplicationShutdown {
  private readonly logger = new Logger('RequestLogs');
  private readonly buffer: LogEntry[] = [];
  private flushing: Promise<void> | undefined;
  private readonly timer: NodeJS.Timeout;
  private readonly dropped: Counter<'reason'>;
  private readonly written: Counter;
  private lastWarning = 0;

  constructor(
    private readonly repo: RequestLogRepository,
    metrics: Metrics,
    @Inject(PLINTH_CONFIG) private readonly config: ResolvedConfig,
  ) {
    this.dropped = new Counter({
      name: 'plinth_request_logs_dropped_total',
      help: 'Request log entries lost: buffer_full (writes fell behind) or store_error (the insert failed)',
      labelNames: ['reason'],
      registers: [metrics.registry],
    });
    this.written = new Counter({
      name: 'plinth_request_logs_written_total',
      help: 'Request log entries stored in plinth.request_log',
      registers: [metrics.registry],
    });
    this.timer = setInterval(() => void this.flush(), FLUSH_EVERY_MS);
    this.timer.unref();
  }

  /** Called once per answered request; cheap, never throws. */
  record(request: FastifyRequest, reply: FastifyReply): void {
    const { mode, sample } = this.config.logs;
    if (mode === 'off') return;
    const url = request.url;
    if (!url.startsWith('/api/') && url !== '/api' && !url.startsWith('/api?')) return;
    const route = request.routeOptions.url ?? '';
    if (UNLOGGED_ROUTES.has(route)) return;
    const status = reply.statusCode;
    const error = status >= 400;
    if (!error && (mode === 'errors' || (sample < 1 && Math.random() >= sample))) return;
    if (this.buffer.length >= MAX_BUFFERED) {
      this.dropped.inc({ reason: 'buffer_full' });
      return;
    }
    const length = Number(reply.getHeader('content-length'));
    this.buffer.push({
      id: newId(),
      created: new Date(),
      method: cleanText(request.method, 16),
      route: cleanText(route, 512),
      url: redactRequestUrl(url),
      status,
      durationMs: Math.round(reply.elapsedTime * 1000) / 1000,
      size: Number.isFinite(length) ? length : 0,
      ip: cleanText(request.ip, 64),
      userAgent: cleanText(request.headers['user-agent'], MAX_USER_AGENT),
      ...authOf(request.principal),
      requestId: cleanText(String(request.id), 128),
      errorCode: error ? cleanText(request.problem?.code, 64) : '',
      errorMessage: error ? cleanText(request.problem?.message, MAX_ERROR_MESSAGE) : '',
    });
    if (this.buffer.length >= BATCH_SIZE && !this.flushing) setImmediate(() => void this.flush());
  }

  /** Writes what is buffered, a batch at a time; one flush runs at once. */
  flush(): Promise<void> {
    this.flushing ??= this.drain().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async drain(): Promise<void> {
    while (this.buffer.length > 0) {
      const batch = this.buffer.splice(0, BATCH_SIZE);
      try {
        await this.repo.insertMany(batch);
        this.written.inc(batch.length);
      } catch (err) {
        this.dropped.inc({ reason: 'store_error' }, batch.length);
        this.warn(err, batch.length);
        return; // the store is failing: try again on the next tick rather than spin
      }
    }
  }

  private warn(err: unknown, count: number): void {
    if (Date.now() - this.lastWarning < 60_000) return;
    this.lastWarning = Date.now();
    const reason = err instanceof Error ? err.message : String(err);
    this.logger.warn(
      `Could not store ${count} request log entr(ies): ${reason}. Requests go on; lost entries are counted in plinth_request_logs_dropped_total.`,
    );
  }

  /** Before the database closes (CoreModule closes it in onApplicationShutdown). */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}
