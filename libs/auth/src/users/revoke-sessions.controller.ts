import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiNoContent, RequireAdmin } from '@plinth/core';
import { ApiTags } from '@nestjs/swagger';
import { UsersAuthService } from './users-auth.service.js';

/** Admins (or admin-scoped API keys) end every session of one app user. */
@ApiTags('app users')
@Controller('api/collections/:collection/records/:id')
export class RevokeSessionsController {
  constructor(private readonly auth: UsersAuthService) {}

  /** 204: the user's token key is rotated and every refresh token revoked. */
  @Post('revoke-sessions')
  @RequireAdmin()
  @HttpCode(204)
  @ApiNoContent()
  async revokeSessions(@Param('collection') collection: string, @Param('id') id: string) {
    await this.auth.revokeSessions(collection, id);
  }
}
