import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiSecurity } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ANONYMOUS, type Principal } from './principal.js';

export const REQUIRES_ADMIN = 'plinth:requires-admin';

/** The route is for admins and admin-scoped API keys only (enforced by the auth lib's guard). */
export const RequireAdmin = () =>
  applyDecorators(SetMetadata(REQUIRES_ADMIN, true), ApiSecurity('adminToken'), ApiSecurity('apiKey'));

/** The caller the auth guard resolved for this request. */
export const CurrentPrincipal = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): Principal =>
    ctx.switchToHttp().getRequest<FastifyRequest>().principal ?? ANONYMOUS,
);
