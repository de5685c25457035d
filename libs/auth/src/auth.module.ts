import { Global, Module, OnApplicationBootstrap } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AdminsController } from './admins.controller.js';
import { AdminsRepository } from './admins.repository.js';
import { AdminsService } from './admins.service.js';
import { ApiKeysController } from './api-keys.controller.js';
import { ApiKeysRepository } from './api-keys.repository.js';
import { ApiKeysService } from './api-keys.service.js';
import { AuthGuard } from './auth.guard.js';
import { PrincipalResolver } from './principal.resolver.js';
import { TokensService } from './tokens.service.js';

/** Admins, API keys, access tokens and the guard that resolves the caller of every route. */
@Global()
@Module({
  controllers: [AdminsController, ApiKeysController],
  providers: [
    AdminsRepository,
    AdminsService,
    ApiKeysRepository,
    ApiKeysService,
    TokensService,
    PrincipalResolver,
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [AdminsService, ApiKeysService, TokensService, PrincipalResolver],
})
export class AuthModule implements OnApplicationBootstrap {
  constructor(private readonly admins: AdminsService) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.admins.issueSetupLinkIfNeeded();
  }
}

/** Admins and tokens without HTTP, for the command line. */
@Module({
  providers: [AdminsRepository, AdminsService, TokensService],
  exports: [AdminsService],
})
export class AdminsCliModule {}
