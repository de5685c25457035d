import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ApiJsonBody, ApiNoContent, validateBody } from '@plinth/core';
import { AdminPasswordResetService } from './admin-password-reset.service.js';
import { assertPasswordsMatch, emailSchema } from './users/account-mail.controller.js';
import { LimitAuthRequestsPerIp } from './users/auth-ip-limit.guard.js';

const password = { type: 'string', minLength: 10, maxLength: 1024 };

export const adminPasswordResetSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['token', 'password', 'passwordConfirm'],
  properties: {
    token: { type: 'string', minLength: 1, maxLength: 200, description: 'The token of the mailed link.' },
    password,
    passwordConfirm: { type: 'string', maxLength: 1024 },
  },
};

/** "Forgot password?" of the console sign-in page. Both routes count toward the per-IP auth limit. */
@LimitAuthRequestsPerIp()
@ApiTags('admins')
@Controller('api/admins')
export class AdminPasswordResetController {
  constructor(private readonly reset: AdminPasswordResetService) {}

  /**
   * Mails a one-time link (valid 1 hour) to the console's reset page if an admin has this email. The
   * answer is 204 whether or not one does; at most 3 mails per address per 10 minutes. No SMTP server
   * set → 400 MAIL_NOT_CONFIGURED (use `npm run plinth -- admin reset-password <email>` instead).
   */
  @Post('request-password-reset')
  @HttpCode(204)
  @ApiJsonBody(emailSchema)
  @ApiNoContent('Answered the same for every address; a mail goes out if an admin has it.')
  async requestAdminPasswordReset(@Body() body: unknown): Promise<void> {
    const input = validateBody<{ email: string }>(emailSchema, body);
    await this.reset.request(input.email);
  }

  /**
   * Sets a new password with the mailed link's token and ends every session of that admin. The token
   * works once; unknown, used or expired → 400 PASSWORD_RESET_TOKEN_INVALID.
   */
  @Post('confirm-password-reset')
  @HttpCode(204)
  @ApiJsonBody(adminPasswordResetSchema)
  @ApiNoContent('The new password is set; every session of the admin has ended.')
  async confirmAdminPasswordReset(@Body() body: unknown): Promise<void> {
    const input = validateBody<{ token: string; password: string; passwordConfirm: string }>(
      adminPasswordResetSchema,
      body,
    );
    assertPasswordsMatch(input);
    await this.reset.confirm(input.token, input.password);
  }
}
