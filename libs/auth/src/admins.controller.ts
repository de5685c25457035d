import { Body, Controller, Headers, HttpCode, Inject, Post } from '@nestjs/common';
import {
  ApiAnswer,
  ApiJsonBody,
  CurrentPrincipal,
  PLINTH_CONFIG,
  type Principal,
  type ResolvedConfig,
  validateBody,
} from '@plinth/core';
import { ApiTags } from '@nestjs/swagger';
import { adminAuthResponseSchema, adminRefreshBodySchema } from './auth-openapi.schemas.js';
import { AdminsService } from './admins.service.js';
import { signInSchema } from './sign-in.schema.js';
import { RateLimiter } from '@plinth/core';
import { LimitAuthRequestsPerIp } from './users/auth-ip-limit.guard.js';

export const setupSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['token', 'email', 'password'],
  properties: {
    token: { type: 'string', minLength: 1, maxLength: 200 },
    email: { type: 'string', format: 'email', maxLength: 320 },
    password: { type: 'string', minLength: 10, maxLength: 1024 },
  },
};

@LimitAuthRequestsPerIp()
@ApiTags('admins')
@Controller('api/admins')
export class AdminsController {
  constructor(
    private readonly admins: AdminsService,
    private readonly limiter: RateLimiter,
    @Inject(PLINTH_CONFIG) private readonly config: ResolvedConfig,
  ) {}

  /** Signs an admin in: `{identity, password}` → `{token, admin}`. Rate-limited per IP and per account. */
  @Post('auth-with-password')
  @HttpCode(200)
  @ApiJsonBody(signInSchema)
  @ApiAnswer(adminAuthResponseSchema)
  async authAdminWithPassword(@Body() body: unknown) {
    const input = validateBody<{ identity: string; password: string }>(signInSchema, body);
    return this.limiter.signInAttempt(
      `admin:${input.identity.trim().toLowerCase()}`,
      this.config.auth.maxFailuresPerAccount,
      () => this.admins.authWithPassword(input.identity, input.password),
    );
  }

  /**
   * A fresh `{token, admin}` for the admin whose token (still valid) is the bearer. Admins have no
   * refresh token: the console calls this before its token expires. Expired or revoked → 401 INVALID_TOKEN.
   */
  @Post('auth-refresh')
  @HttpCode(200)
  @ApiJsonBody(adminRefreshBodySchema, 'Empty or {}: the bearer token is what is refreshed.')
  @ApiAnswer(adminAuthResponseSchema)
  async refreshAdminAuth(
    @CurrentPrincipal() principal: Principal,
    @Headers('authorization') authorization: string | undefined,
    @Body() body: unknown,
  ) {
    validateBody(adminRefreshBodySchema, body ?? {});
    return this.admins.refresh(principal, authorization);
  }

  /** Creates the first admin with the one-time link printed at boot. */
  @Post('setup')
  @HttpCode(200)
  @ApiJsonBody(setupSchema)
  @ApiAnswer(adminAuthResponseSchema)
  async setupFirstAdmin(@Body() body: unknown) {
    const input = validateBody<{ token: string; email: string; password: string }>(setupSchema, body);
    return this.admins.setupFirstAdmin(input.token, input.email, input.password);
  }
}
