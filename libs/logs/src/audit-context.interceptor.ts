import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { actorOf, runAsActor } from '@plinth/core';
import type { FastifyRequest } from 'fastify';
import { Observable } from 'rxjs';

/**
 * Changes run with their caller as the audit actor (admin or key, client IP, request id), so the
 * services that record admin actions need no HTTP type. Runs after the auth guard set the principal.
 * Reads and app users' writes record nothing: they skip the wrapping (the records hot path).
 */
@Injectable()
export class AuditContextInterceptor implements NestInterceptor {
  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (ctx.getType() !== 'http') return next.handle();
    const req = ctx.switchToHttp().getRequest<FastifyRequest>();
    if (req.method === 'GET' || req.method === 'HEAD' || req.principal?.kind === 'user') return next.handle();
    const actor = actorOf(req.principal, req.ip, String(req.id));
    return new Observable((subscriber) => runAsActor(actor, () => next.handle().subscribe(subscriber)));
  }
}
