import { Body, Controller, Delete, Get, Headers, HttpCode, Inject, Param, Post } from '@nestjs/common';
import {
  ApiAnswer,
  ApiJsonBody,
  ApiNoContent,
  CurrentPrincipal,
  PLINTH_CONFIG,
  type Principal,
  RequireAdmin,
  type ResolvedConfig,
  validateBody,
} from '@plinth/core';
import { ApiSecurity, ApiTags } from '@nestjs/swagger';
import {
  adminAuthResponseSchema,
  adminPageSchema,
  adminRefreshBodySchema,
  adminSchema,
} from './auth-openapi.schemas.js';
import { AdminsService } from './admins.service.js';
import { AdminTotpService } from './mfa/admin-totp.service.js';
import {
  authWithTotpSchema,
  recoveryCodesSchema,
  totpCodeSchema,
  totpEnrollmentSchema,
  totpStatusSchema,
} from './mfa/sign-in-factors.schemas.js';
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

export const setupStatusSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['adminExists'],
  properties: {
    adminExists: { type: 'boolean', description: 'true: setup links no longer work; sign in instead.' },
  },
};

export const adminLogoutSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    all: { type: 'boolean', description: 'true: end every session of this admin, this one included.' },
  },
  description: 'Empty: end the session of the bearer admin token.',
};

export const changeAdminPasswordSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['currentPassword', 'password'],
  properties: {
    currentPassword: { type: 'string', minLength: 1, maxLength: 1024, pattern: '^[^\\u0000]*$' },
    password: { type: 'string', minLength: 10, maxLength: 1024 },
  },
};

@ApiTags('admins')
@Controller('api/admins')
export class AdminsController {
  constructor(
    private readonly admins: AdminsService,
    private readonly adminTotp: AdminTotpService,
    private readonly limiter: RateLimiter,
    @Inject(PLINTH_CONFIG) private readonly config: ResolvedConfig,
  ) {}

  /** Signs an admin in: `{identity, password}` → `{token, admin}`. Rate-limited per IP and per account. */
  @LimitAuthRequestsPerIp()
  @Post('auth-with-password')
  @HttpCode(200)
  @ApiJsonBody(signInSchema)
  @ApiAnswer(adminAuthResponseSchema)
  async authAdminWithPassword(@Body() body: unknown) {
    const input = validateBody<{ identity: string; password: string }>(signInSchema, body);
    return this.adminTotp.signIn(input.identity, input.password);
  }

  /** The second step for an admin with an authenticator: `{mfaId, code}` → `{token, admin}`. */
  @LimitAuthRequestsPerIp()
  @Post('auth-with-totp')
  @HttpCode(200)
  @ApiJsonBody(authWithTotpSchema)
  @ApiAnswer(adminAuthResponseSchema)
  async authAdminWithTotp(@Body() body: unknown) {
    const input = validateBody<{ mfaId: string; code: string }>(authWithTotpSchema, body);
    return this.adminTotp.authWithTotp(input.mfaId, input.code);
  }

  /** The signed-in admin's authenticator. */
  @Get('me/totp')
  @ApiSecurity('adminToken')
  @ApiAnswer(totpStatusSchema)
  getAdminTotp(@CurrentPrincipal() principal: Principal) {
    return this.adminTotp.status(principal);
  }

  /** A new authenticator secret and otpauth:// URI for the signed-in admin; confirm with a first code. */
  @LimitAuthRequestsPerIp()
  @Post('me/totp/enroll')
  @HttpCode(200)
  @ApiSecurity('adminToken')
  @ApiAnswer(totpEnrollmentSchema)
  enrollAdminTotp(@CurrentPrincipal() principal: Principal) {
    return this.adminTotp.enroll(principal);
  }

  /** Confirms the admin's authenticator: its recovery codes, shown this once. */
  @LimitAuthRequestsPerIp()
  @Post('me/totp/confirm')
  @HttpCode(200)
  @ApiSecurity('adminToken')
  @ApiJsonBody(totpCodeSchema)
  @ApiAnswer(recoveryCodesSchema)
  confirmAdminTotp(@CurrentPrincipal() principal: Principal, @Body() body: unknown) {
    const input = validateBody<{ code: string }>(totpCodeSchema, body);
    return this.adminTotp.confirm(principal, input.code);
  }

  /** Removes the admin's authenticator, proven by a current code or a recovery code. */
  @LimitAuthRequestsPerIp()
  @Post('me/totp/remove')
  @HttpCode(204)
  @ApiSecurity('adminToken')
  @ApiJsonBody(totpCodeSchema)
  @ApiNoContent()
  async removeAdminTotp(@CurrentPrincipal() principal: Principal, @Body() body: unknown): Promise<void> {
    const input = validateBody<{ code: string }>(totpCodeSchema, body);
    await this.adminTotp.remove(principal, input.code);
  }

  /**
   * A fresh `{token, admin}` for the admin whose token (still valid) is the bearer. Admins have no
   * refresh token: the console calls this before its token expires. Expired, signed out or past the
   * session's lifetime (PLINTH_ADMIN_SESSION_TTL since sign-in) → 401 INVALID_TOKEN.
   */
  @LimitAuthRequestsPerIp()
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

  /** Signs out: ends the bearer token's session, or with `{all: true}` every session of its admin. */
  @Post('auth-logout')
  @HttpCode(204)
  @ApiSecurity('adminToken')
  @ApiJsonBody(adminLogoutSchema, 'Empty or {}: end this session; {all: true}: every session.')
  @ApiNoContent('Signed out; the token (or every token of the admin) is refused from now on.')
  async logoutAdmin(
    @CurrentPrincipal() principal: Principal,
    @Headers('authorization') authorization: string | undefined,
    @Body() body: unknown,
  ) {
    const input = validateBody<{ all?: boolean }>(adminLogoutSchema, body ?? {});
    await this.admins.logout(principal, authorization, input.all === true);
  }

  /** Changes the password of the signed-in admin; its other sessions end, this one goes on. */
  @LimitAuthRequestsPerIp()
  @Post('me/password')
  @HttpCode(200)
  @ApiSecurity('adminToken')
  @ApiJsonBody(changeAdminPasswordSchema)
  @ApiAnswer(adminSchema)
  async changeAdminPassword(
    @CurrentPrincipal() principal: Principal,
    @Headers('authorization') authorization: string | undefined,
    @Body() body: unknown,
  ) {
    const input = validateBody<{ currentPassword: string; password: string }>(
      changeAdminPasswordSchema,
      body,
    );
    const change = () =>
      this.admins.changePassword(principal, authorization, input.currentPassword, input.password);
    // Wrong current passwords count as failed sign-ins of the account: a stolen token cannot guess on.
    if (principal.kind !== 'admin') return change();
    return this.limiter.signInAttempt(
      `admin:${principal.email.trim().toLowerCase()}`,
      this.config.auth.maxFailuresPerAccount,
      change,
    );
  }

  @Get()
  @RequireAdmin()
  @ApiAnswer(adminPageSchema)
  async listAdmins() {
    const items = await this.admins.list();
    return { page: 1, perPage: items.length, totalItems: items.length, totalPages: 1, items };
  }

  /** Deletes an admin; its sessions end at once. The last admin is never deleted (409 LAST_ADMIN). */
  @Delete(':id')
  @RequireAdmin()
  @HttpCode(204)
  @ApiNoContent()
  async deleteAdmin(@Param('id') id: string) {
    await this.admins.delete(id);
  }

  /** Creates the first admin with the one-time link printed at boot. */
  @LimitAuthRequestsPerIp()
  @Post('setup')
  @HttpCode(200)
  @ApiJsonBody(setupSchema)
  @ApiAnswer(adminAuthResponseSchema)
  async setupFirstAdmin(@Body() body: unknown) {
    const input = validateBody<{ token: string; email: string; password: string }>(setupSchema, body);
    return this.admins.setupFirstAdmin(input.token, input.email, input.password);
  }

  /** Whether the setup link can still be used: once an admin exists, the console says to sign in instead. */
  @LimitAuthRequestsPerIp()
  @Get('setup')
  @ApiAnswer(setupStatusSchema)
  async getSetupStatus() {
    return { adminExists: await this.admins.anyExists() };
  }
}
