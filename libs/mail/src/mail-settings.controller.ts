import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ApiAnswer, ApiJsonBody, RequireAdmin, validateBody } from '@plinth/core';
import { MailSender } from './mail-sender.js';
import { mailTestBodySchema, mailTestResponseSchema } from './mail-settings.js';

/** "Send test mail" for the `mail` settings section (GET/PATCH /api/settings edit the section itself). */
@ApiTags('settings')
@Controller('api/settings/mail')
@RequireAdmin()
export class MailSettingsController {
  constructor(private readonly mail: MailSender) {}

  /** Sends one test mail now with the saved mail settings (not queued, no retries). */
  @Post('test')
  @HttpCode(200)
  @ApiJsonBody(mailTestBodySchema as never)
  @ApiAnswer(
    mailTestResponseSchema as never,
    200,
    'The SMTP server took the mail; problem 502 MAIL_TEST_FAILED (with what it said) or 400 MAIL_NOT_CONFIGURED otherwise.',
  )
  sendTestMail(@Body() body: unknown) {
    const { to } = validateBody<{ to: string }>(mailTestBodySchema as never, body);
    return this.mail.sendTest(to);
  }
}
