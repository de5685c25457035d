import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiJsonBody,
  ApiNoContent,
  AppError,
  CurrentPrincipal,
  type Principal,
  validateBody,
} from '@plinth/core';
import { ApiTags } from '@nestjs/swagger';
import { AccountMailService } from './account-mail.service.js';
import { LimitAuthRequestsPerIp } from './auth-ip-limit.guard.js';

// The same bounds as passwords of auth records (libs/collections record-schemas).
const PASSWORD_MIN_LENGTH = 8;
const PASSWORD_MAX_LENGTH = 256;

const email = { type: 'string', format: 'email', maxLength: 254 };
const token = { type: 'string', minLength: 1, maxLength: 200 };

export const emailSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['email'],
  properties: { email },
};
export const tokenSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['token'],
  properties: { token },
};
export const passwordResetSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['token', 'password', 'passwordConfirm'],
  properties: {
    token,
    password: { type: 'string', minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH },
    passwordConfirm: { type: 'string', maxLength: PASSWORD_MAX_LENGTH },
  },
};
export const emailChangeSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['newEmail'],
  properties: { newEmail: email },
};
export const confirmEmailChangeSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['token', 'password'],
  properties: { token, password: { type: 'string', minLength: 1, maxLength: 1024 } },
};

/** 400 on `passwordConfirm` when it differs from `password` (PocketBase's answer). */
export function assertPasswordsMatch(input: { password: string; passwordConfirm: string }): void {
  if (input.password === input.passwordConfirm) return;
  throw new AppError(
    'VALIDATION_FAILED',
    "The request body has 1 invalid field: passwordConfirm doesn't match.",
    {
      errors: [{ path: 'passwordConfirm', code: 'PASSWORDS_DONT_MATCH', message: "passwords don't match" }],
    },
  );
}

/**
 * Links mailed to app users of an auth collection: verification, password reset, email change
 * (PocketBase's routes and shapes). Every route counts toward the per-IP auth limit.
 */
@LimitAuthRequestsPerIp()
@ApiTags('app users')
@Controller('api/collections/:collection')
export class AccountMailController {
  constructor(private readonly mail: AccountMailService) {}

  @Post('request-verification')
  @HttpCode(204)
  @ApiJsonBody(emailSchema)
  @ApiNoContent()
  async requestVerification(@Param('collection') collection: string, @Body() body: unknown): Promise<void> {
    const input = validateBody<{ email: string }>(emailSchema, body);
    this.mail.requestVerification(collection, input.email);
  }

  @Post('confirm-verification')
  @HttpCode(204)
  @ApiJsonBody(tokenSchema)
  @ApiNoContent()
  async confirmVerification(@Param('collection') collection: string, @Body() body: unknown): Promise<void> {
    const input = validateBody<{ token: string }>(tokenSchema, body);
    await this.mail.confirmVerification(collection, input.token);
  }

  @Post('request-password-reset')
  @HttpCode(204)
  @ApiJsonBody(emailSchema)
  @ApiNoContent()
  async requestPasswordReset(@Param('collection') collection: string, @Body() body: unknown): Promise<void> {
    const input = validateBody<{ email: string }>(emailSchema, body);
    this.mail.requestPasswordReset(collection, input.email);
  }

  @Post('confirm-password-reset')
  @HttpCode(204)
  @ApiJsonBody(passwordResetSchema)
  @ApiNoContent()
  async confirmPasswordReset(@Param('collection') collection: string, @Body() body: unknown): Promise<void> {
    const input = validateBody<{ token: string; password: string; passwordConfirm: string }>(
      passwordResetSchema,
      body,
    );
    assertPasswordsMatch(input);
    await this.mail.confirmPasswordReset(collection, input.token, input.password);
  }

  @Post('request-email-change')
  @HttpCode(204)
  @ApiJsonBody(emailChangeSchema)
  @ApiNoContent()
  async requestEmailChange(
    @Param('collection') collection: string,
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
  ): Promise<void> {
    const owner = await this.mail.signedInAccount(collection, principal);
    const input = validateBody<{ newEmail: string }>(emailChangeSchema, body);
    this.mail.requestEmailChange(owner, input.newEmail);
  }

  @Post('confirm-email-change')
  @HttpCode(204)
  @ApiJsonBody(confirmEmailChangeSchema)
  @ApiNoContent()
  async confirmEmailChange(@Param('collection') collection: string, @Body() body: unknown): Promise<void> {
    const input = validateBody<{ token: string; password: string }>(confirmEmailChangeSchema, body);
    await this.mail.confirmEmailChange(collection, input.token, input.password);
  }
}
