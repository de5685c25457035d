import { CanActivate, ExecutionContext, Injectable, UseGuards } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { UsersAuthService } from './users-auth.service.js';

/** Counts the request toward the per-IP auth limit (PLINTH_AUTH_RATE_PER_IP); 429 beyond it. */
@Injectable()
export class AuthIpLimitGuard implements CanActivate {
  constructor(private readonly auth: UsersAuthService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    await this.auth.countIp(context.switchToHttp().getRequest<FastifyRequest>().ip);
    return true;
  }
}

/** Sign-in, refresh, setup, OAuth and mail-link routes: rate-limited per client IP, across replicas. */
export const LimitAuthRequestsPerIp = () => UseGuards(AuthIpLimitGuard);
