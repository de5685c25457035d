import { AsyncLocalStorage } from 'node:async_hooks';
import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Observable } from 'rxjs';
import type { RequestInfo } from '../filter/index.js';

// `@request.query/headers/method/context` in rules: the controller's interceptor records them for the
// request, so RecordsService reads them without an HTTP type in every method's signature.
const store = new AsyncLocalStorage<RequestInfo>();

/** The request the current records call serves; undefined outside one (jobs, realtime). */
export function currentRequestInfo(): RequestInfo | undefined {
  return store.getStore();
}

/** Runs `work` with `info` as the current request (realtime, batch items: PocketBase's `@request.context`). */
export function runWithRequestInfo<T>(info: RequestInfo, work: () => T): T {
  return store.run(info, work);
}

/** PocketBase's shape: first value of each query parameter; header names lower-cased, `-` as `_`. */
export function requestInfoOf(req: FastifyRequest, context = 'default'): RequestInfo {
  const query: Record<string, string> = {};
  for (const [key, value] of Object.entries((req.query ?? {}) as Record<string, unknown>)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first === 'string') query[key] = first;
  }
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(req.headers)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first === 'string') headers[key.toLowerCase().replace(/-/g, '_')] = first;
  }
  return { query, headers, method: req.method.toUpperCase(), context };
}

@Injectable()
export class RequestInfoInterceptor implements NestInterceptor {
  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = ctx.switchToHttp().getRequest<FastifyRequest>();
    const info = requestInfoOf(req, req.url.startsWith('/api/batch') ? 'batch' : 'default');
    return new Observable((subscriber) => store.run(info, () => next.handle().subscribe(subscriber)));
  }
}
