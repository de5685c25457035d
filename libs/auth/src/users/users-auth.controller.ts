import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { CurrentPrincipal, type Principal, validateBody } from '@plinth/core';
import { signInSchema } from '../sign-in.schema.js';
import { UsersAuthService } from './users-auth.service.js';
import { LimitAuthRequestsPerIp } from './auth-ip-limit.guard.js';

const refreshSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['refreshToken'],
  properties: { refreshToken: { type: 'string', minLength: 1, maxLength: 200 } },
};
const logoutSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { refreshToken: { type: 'string', minLength: 1, maxLength: 200 }, all: { type: 'boolean' } },
};

/** Sign-in for app users of an auth collection (PocketBase's routes and shapes). */
@Controller('api/collections/:collection')
export class UsersAuthController {
  constructor(private readonly auth: UsersAuthService) {}

  @LimitAuthRequestsPerIp()
  @Post('auth-with-password')
  @HttpCode(200)
  async authWithPassword(@Param('collection') collection: string, @Body() body: unknown) {
    const input = validateBody<{ identity: string; password: string }>(signInSchema, body);
    return this.auth.authWithPassword(collection, input.identity, input.password);
  }

  @LimitAuthRequestsPerIp()
  @Post('auth-refresh')
  @HttpCode(200)
  async authRefresh(@Param('collection') collection: string, @Body() body: unknown) {
    const input = validateBody<{ refreshToken: string }>(refreshSchema, body);
    return this.auth.refresh(collection, input.refreshToken);
  }

  @Post('auth-logout')
  @HttpCode(204)
  async authLogout(
    @Param('collection') collection: string,
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
  ) {
    const input = validateBody<{ refreshToken?: string; all?: boolean }>(logoutSchema, body);
    await this.auth.logout(collection, principal, input);
  }

  @Get('auth-methods')
  listAuthMethods(@Param('collection') collection: string) {
    return this.auth.authMethods(collection);
  }
}
