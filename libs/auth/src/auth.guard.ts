import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AppError, isAdminLike, REQUIRES_ADMIN } from '@plinth/core';
import type { FastifyRequest } from 'fastify';
import { PrincipalResolver } from './principal.resolver.js';

/** Resolves the caller on every route and enforces @RequireAdmin(); rules are the services' business. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly resolver: PrincipalResolver,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const principal = await this.resolver.resolve(request.headers.authorization);
    request.principal = principal;
    const needsAdmin = this.reflector.getAllAndOverride<boolean>(REQUIRES_ADMIN, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (needsAdmin && !isAdminLike(principal)) {
      if (principal.kind === 'anonymous') {
        throw new AppError(
          'UNAUTHORIZED',
          'This needs an admin: send an admin token or an API key with the admin scope.',
          {
            headers: { 'www-authenticate': 'Bearer' },
          },
        );
      }
      throw new AppError('ADMIN_REQUIRED', 'Only admins (or API keys with the admin scope) may do this.');
    }
    return true;
  }
}
