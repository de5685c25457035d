import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AppError, isAdminLike, REQUIRES_ADMIN, type Principal } from '@plinth/core';
import type { FastifyRequest } from 'fastify';
import { CredentialFailures } from './credential-failures.js';
import { PrincipalResolver } from './principal.resolver.js';

/** Resolves the caller on every route and enforces @RequireAdmin(); rules are the services' business. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly resolver: PrincipalResolver,
    private readonly reflector: Reflector,
    private readonly failures: CredentialFailures,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const principal = await this.resolve(request);
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

  /** The caller; a failed credential counts toward its address's limit (429 past it). */
  private async resolve(request: FastifyRequest): Promise<Principal> {
    const header = request.headers.authorization;
    if (!header) return this.resolver.resolve(header);
    this.failures.assertAllowed(request.ip);
    try {
      return await this.resolver.resolve(header);
    } catch (err) {
      if (err instanceof AppError && err.code === 'INVALID_TOKEN') await this.failures.fail(request.ip);
      throw err;
    }
  }
}
