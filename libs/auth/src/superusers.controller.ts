import { Body, Controller, Headers, HttpCode, Post } from '@nestjs/common';
import { ApiAnswer, ApiJsonBody, CurrentPrincipal, type Principal, validateBody } from '@plinth/core';
import { ApiTags } from '@nestjs/swagger';
import { adminRefreshBodySchema, superuserAuthResponseSchema } from './auth-openapi.schemas.js';
import { type AdminView, AdminsService } from './admins.service.js';
import { signInSchema } from './sign-in.schema.js';
import { LimitAuthRequestsPerIp } from './users/auth-ip-limit.guard.js';

import { SUPERUSERS_COLLECTION_ID } from './superusers.constants.js';
import { AdminTotpService } from './mfa/admin-totp.service.js';

export { SUPERUSERS_COLLECTION_ID };

/** An admin as PocketBase (0.23+) answers a superuser: an auth record of `_superusers`. */
export const toSuperuserRecord = (admin: AdminView) => ({
  collectionId: SUPERUSERS_COLLECTION_ID,
  collectionName: '_superusers',
  id: admin.id,
  email: admin.email,
  emailVisibility: false,
  verified: true,
  created: admin.created,
  updated: admin.updated,
});

/**
 * PocketBase's admin sign-in (`pb.collection('_superusers').authWithPassword(...)`): the same admin
 * token and checks as /api/admins, answered as `{token, record}`. `_superusers` is no data collection.
 */
@LimitAuthRequestsPerIp()
@ApiTags('admins')
@Controller('api/collections/_superusers')
export class SuperusersController {
  constructor(
    private readonly admins: AdminsService,
    private readonly adminTotp: AdminTotpService,
  ) {}

  /** `{identity, password}` → `{token, record}`; wrong credentials → 400 INVALID_CREDENTIALS. */
  @Post('auth-with-password')
  @HttpCode(200)
  @ApiJsonBody(signInSchema)
  @ApiAnswer(superuserAuthResponseSchema)
  async authSuperuserWithPassword(@Body() body: unknown) {
    const input = validateBody<{ identity: string; password: string }>(signInSchema, body);
    const { token, admin } = await this.adminTotp.signIn(input.identity, input.password);
    return { token, record: toSuperuserRecord(admin) };
  }

  /** A fresh `{token, record}` for the admin whose still-valid token is sent as Authorization. */
  @Post('auth-refresh')
  @HttpCode(200)
  @ApiJsonBody(adminRefreshBodySchema, 'Empty or {}: the admin token sent as Authorization is refreshed.')
  @ApiAnswer(superuserAuthResponseSchema)
  async refreshSuperuserAuth(
    @CurrentPrincipal() principal: Principal,
    @Headers('authorization') authorization: string | undefined,
    @Body() body: unknown,
  ) {
    validateBody(adminRefreshBodySchema, body ?? {});
    const { token, admin } = await this.admins.refresh(principal, authorization);
    return { token, record: toSuperuserRecord(admin) };
  }
}
