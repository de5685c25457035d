import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  ApiAnswer,
  ApiJsonBody,
  ApiNoContent,
  ApiStringQuery,
  CurrentPrincipal,
  type Principal,
  RequireAdmin,
  validateBody,
} from '@plinth/core';
import type { FastifyRequest } from 'fastify';
import { userAuthResponseSchema } from '../auth-openapi.schemas.js';
import { LimitAuthRequestsPerIp } from '../users/auth-ip-limit.guard.js';
import { OtpService } from './otp.service.js';
import {
  authWithOtpSchema,
  authWithTotpSchema,
  mfaIdOf,
  otpResponseSchema,
  recoveryCodesSchema,
  requestOtpSchema,
  totpCodeSchema,
  totpEnrollmentSchema,
  totpStatusSchema,
} from './sign-in-factors.schemas.js';
import { TotpService } from './totp.service.js';

/**
 * Sign-in beyond passwords for app users of an auth collection (docs/decisions/otp-mfa.md): mailed
 * one-time codes and magic links (PocketBase's routes), the TOTP second factor, and a user's factors.
 */
@ApiTags('app users')
@Controller('api/collections/:collection')
export class SignInFactorsController {
  constructor(
    private readonly otp: OtpService,
    private readonly totp: TotpService,
  ) {}

  @LimitAuthRequestsPerIp()
  @Post('request-otp')
  @HttpCode(200)
  @ApiJsonBody(requestOtpSchema)
  @ApiAnswer(otpResponseSchema)
  requestOtp(@Param('collection') collection: string, @Body() body: unknown) {
    const input = validateBody<{ email: string; redirect?: string }>(requestOtpSchema, body);
    return this.otp.requestOtp(collection, input.email, input.redirect);
  }

  @LimitAuthRequestsPerIp()
  @Post('auth-with-otp')
  @HttpCode(200)
  @ApiJsonBody(authWithOtpSchema)
  @ApiStringQuery('mfaId', 'The mfaId of a 401 MFA_REQUIRED answer (PocketBase SDK form; or in the body).')
  @ApiAnswer(userAuthResponseSchema)
  authWithOtp(
    @Param('collection') collection: string,
    @Body() body: unknown,
    @Query('mfaId') mfaId: unknown,
    @Req() req: FastifyRequest,
  ) {
    const input = validateBody<{ otpId: string; password: string; mfaId?: string }>(authWithOtpSchema, body);
    return this.otp.authWithOtp(collection, input.otpId, input.password, req.ip, mfaIdOf(input, mfaId));
  }

  @LimitAuthRequestsPerIp()
  @Post('auth-with-totp')
  @HttpCode(200)
  @ApiJsonBody(authWithTotpSchema)
  @ApiAnswer(userAuthResponseSchema)
  authWithTotp(@Param('collection') collection: string, @Body() body: unknown) {
    const input = validateBody<{ mfaId: string; code: string }>(authWithTotpSchema, body);
    return this.totp.authWithTotp(collection, input.mfaId, input.code);
  }

  @Get('totp')
  @ApiAnswer(totpStatusSchema)
  async getTotp(@Param('collection') collection: string, @CurrentPrincipal() principal: Principal) {
    const { owner } = await this.totp.userOwner(collection, principal);
    return this.totp.status(owner);
  }

  @LimitAuthRequestsPerIp()
  @Post('totp/enroll')
  @HttpCode(200)
  @ApiAnswer(totpEnrollmentSchema)
  async enrollTotp(@Param('collection') collection: string, @CurrentPrincipal() principal: Principal) {
    const { owner } = await this.totp.userOwner(collection, principal);
    return this.totp.enroll(owner);
  }

  @LimitAuthRequestsPerIp()
  @Post('totp/confirm')
  @HttpCode(200)
  @ApiJsonBody(totpCodeSchema)
  @ApiAnswer(recoveryCodesSchema)
  confirmTotp(
    @Param('collection') collection: string,
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
  ) {
    const input = validateBody<{ code: string }>(totpCodeSchema, body);
    return this.totp.confirmForUser(collection, principal, input.code);
  }

  @LimitAuthRequestsPerIp()
  @Post('totp/remove')
  @HttpCode(204)
  @ApiJsonBody(totpCodeSchema)
  @ApiNoContent()
  async removeTotp(
    @Param('collection') collection: string,
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
  ): Promise<void> {
    const input = validateBody<{ code: string }>(totpCodeSchema, body);
    await this.totp.removeForUser(collection, principal, input.code);
  }

  /** An admin's view of a user's second factors. */
  @Get('records/:id/mfa')
  @RequireAdmin()
  @ApiAnswer(totpStatusSchema)
  getUserFactors(@Param('collection') collection: string, @Param('id') id: string) {
    return this.totp.factorsOf(collection, id);
  }

  /** An admin removes a user's authenticator and recovery codes (a lost phone). */
  @Delete('records/:id/mfa')
  @RequireAdmin()
  @HttpCode(204)
  @ApiNoContent()
  async resetUserFactors(@Param('collection') collection: string, @Param('id') id: string): Promise<void> {
    await this.totp.resetForAdmin(collection, id);
  }
}
