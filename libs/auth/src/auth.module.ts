import { Module, OnApplicationBootstrap } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { CollectionsModule } from '@plinth/collections';
import { CoreModule } from '@plinth/core';
import { JobsModule } from '@plinth/jobs';
import { MailModule } from '@plinth/mail';
import { AdminPasswordResetController } from './admin-password-reset.controller.js';
import { AdminPasswordResetService } from './admin-password-reset.service.js';
import { AdminsController } from './admins.controller.js';
import { AdminsRepository } from './admins.repository.js';
import { AdminsService } from './admins.service.js';
import { ApiKeysController } from './api-keys.controller.js';
import { ApiKeysRepository } from './api-keys.repository.js';
import { ApiKeysService } from './api-keys.service.js';
import { AuthEvents } from './auth-events.js';
import { AuthGuard } from './auth.guard.js';
import { CredentialFailures } from './credential-failures.js';
import { MailedLinks } from './mailed-links.js';
import { AdminTotpService } from './mfa/admin-totp.service.js';
import { FactorCodes } from './mfa/factor-codes.js';
import { MfaService } from './mfa/mfa.service.js';
import { OtpService } from './mfa/otp.service.js';
import { SignInFactorsController } from './mfa/sign-in-factors.controller.js';
import { SignInFactorsRepository } from './mfa/sign-in-factors.repository.js';
import { TotpService } from './mfa/totp.service.js';
import { ExternalIdentitiesRepository } from './oauth/external-identities.repository.js';
import { OAuth2Controller } from './oauth/oauth2.controller.js';
import { OAuth2StateRepository } from './oauth/oauth2-state.js';
import { OAuth2AccountsService } from './oauth/oauth2-accounts.service.js';
import { OAuth2ProviderSignIn } from './oauth/oauth2-provider-sign-in.js';
import { OAuth2Service } from './oauth/oauth2.service.js';
import { OidcClient } from './oauth/oidc-client.js';
import { PrincipalResolver } from './principal.resolver.js';
import { TokensService } from './tokens.service.js';
import { AccountMailController } from './users/account-mail.controller.js';
import { AccountMailService } from './users/account-mail.service.js';
import { AccountUpdatesRepository } from './users/account-updates.repository.js';
import { RevokeSessionsController } from './users/revoke-sessions.controller.js';
import { SuperusersController } from './superusers.controller.js';
import { UserAccountsRepository } from './users/user-accounts.repository.js';
import { UsersAuthController } from './users/users-auth.controller.js';
import { UsersAuthService } from './users/users-auth.service.js';

/** Admins, API keys, access tokens and the guard that resolves the caller of every route. */
@Module({
  imports: [CoreModule, CollectionsModule, JobsModule, MailModule],
  controllers: [
    AdminsController,
    AdminPasswordResetController,
    ApiKeysController,
    UsersAuthController,
    AccountMailController,
    SignInFactorsController,
    OAuth2Controller,
    RevokeSessionsController,
    SuperusersController,
  ],
  providers: [
    AdminsRepository,
    AdminsService,
    AdminPasswordResetService,
    MailedLinks,
    ApiKeysRepository,
    ApiKeysService,
    TokensService,
    PrincipalResolver,
    CredentialFailures,
    AuthEvents,
    UserAccountsRepository,
    UsersAuthService,
    AccountUpdatesRepository,
    AccountMailService,
    SignInFactorsRepository,
    FactorCodes,
    MfaService,
    OtpService,
    TotpService,
    AdminTotpService,
    ExternalIdentitiesRepository,
    OAuth2StateRepository,
    OidcClient,
    OAuth2ProviderSignIn,
    OAuth2AccountsService,
    OAuth2Service,
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [AdminsService, ApiKeysService, TokensService, PrincipalResolver, UsersAuthService, AuthEvents],
})
export class AuthModule implements OnApplicationBootstrap {
  constructor(private readonly admins: AdminsService) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.admins.issueSetupLinkIfNeeded();
  }
}

/** Admins and tokens without HTTP, for the command line. */
@Module({
  imports: [CoreModule],
  providers: [AdminsRepository, AdminsService, TokensService],
  exports: [AdminsService],
})
export class AdminsCliModule {}
