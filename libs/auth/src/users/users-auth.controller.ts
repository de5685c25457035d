import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiAnswer,
  ApiJsonBody,
  ApiNoContent,
  ApiStringQuery,
  CurrentPrincipal,
  type Principal,
  validateBody,
} from '@plinth/core';
import { ApiTags } from '@nestjs/swagger';
import { authMethodsResponseSchema, userAuthResponseSchema } from '../auth-openapi.schemas.js';
import { signInSchema } from '../sign-in.schema.js';
import { UsersAuthService } from './users-auth.service.js';
import { LimitAuthRequestsPerIp } from './auth-ip-limit.guard.js';
import { mfaId, mfaIdOf } from '../mfa/sign-in-factors.schemas.js';

/** PocketBase's `{identity, password}`, and `mfaId` when the password is the second factor. */
export const userSignInSchema = {
  ...signInSchema,
  properties: { ...signInSchema.properties, mfaId },
};

// Any length is taken: a token of the wrong length is refused as every unknown token is (401).
export const refreshSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { refreshToken: { type: 'string' } },
  description:
    "{refreshToken} rotates that token. Empty (PocketBase's form): refreshes the session of the access token sent as Authorization.",
};
export const logoutSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { refreshToken: { type: 'string', minLength: 1, maxLength: 200 }, all: { type: 'boolean' } },
};

/** Sign-in for app users of an auth collection (PocketBase's routes and shapes). */
@ApiTags('app users')
@Controller('api/collections/:collection')
export class UsersAuthController {
  constructor(private readonly auth: UsersAuthService) {}

  @LimitAuthRequestsPerIp()
  @Post('auth-with-password')
  @HttpCode(200)
  @ApiJsonBody(userSignInSchema)
  @ApiStringQuery('mfaId', 'The mfaId of a 401 MFA_REQUIRED answer (PocketBase SDK form; or in the body).')
  @ApiAnswer(userAuthResponseSchema)
  async authWithPassword(
    @Param('collection') collection: string,
    @Body() body: unknown,
    @Query('mfaId') mfaId: unknown,
  ) {
    const input = validateBody<{ identity: string; password: string; mfaId?: string }>(
      userSignInSchema,
      body,
    );
    return this.auth.authWithPassword(collection, input.identity, input.password, mfaIdOf(input, mfaId));
  }

  @LimitAuthRequestsPerIp()
  @Post('auth-refresh')
  @HttpCode(200)
  @ApiJsonBody(refreshSchema)
  @ApiAnswer(userAuthResponseSchema)
  async authRefresh(
    @Param('collection') collection: string,
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
  ) {
    const input = validateBody<{ refreshToken?: string }>(refreshSchema, body);
    if (input.refreshToken === undefined) return this.auth.bearerRefresh(collection, principal);
    return this.auth.refresh(collection, input.refreshToken);
  }

  @Post('auth-logout')
  @HttpCode(204)
  @ApiJsonBody(logoutSchema)
  @ApiNoContent()
  async authLogout(
    @Param('collection') collection: string,
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
  ) {
    const input = validateBody<{ refreshToken?: string; all?: boolean }>(logoutSchema, body);
    await this.auth.logout(collection, principal, input);
  }

  @Get('auth-methods')
  @ApiAnswer(authMethodsResponseSchema)
  listAuthMethods(@Param('collection') collection: string) {
    return this.auth.authMethods(collection);
  }
}
