import { Module } from '@nestjs/common';
import { CoreModule, SettingsModule } from '@plinth/core';
import { JobsModule } from '@plinth/jobs';
import { MailSendHandler } from './mail-send.handler.js';
import { MailSender } from './mail-sender.js';
import { MailSettingsController } from './mail-settings.controller.js';

/**
 * Mail: the `mail` settings section, the SMTP transport, the admin's test mail and the `mail.send`
 * handler (run where the process consumes queues). MailSender is in every process: it registers the
 * section and tells whether mail can be sent at all.
 */
@Module({
  imports: [CoreModule, SettingsModule, JobsModule],
  controllers: [MailSettingsController],
  providers: [MailSender, MailSendHandler],
  exports: [MailSender],
})
export class MailModule {}
