import { Injectable, Logger } from '@nestjs/common';
import { type Job, UnrecoverableError } from 'bullmq';
import type { JobPayloads } from '@plinth/jobs';
import { type HandlesJob, JobHandler } from '@plinth/jobs';
import { isPermanentSmtpError, MailSender } from './mail-sender.js';

/**
 * Delivers one mail. A temporary failure (server down, 4xx) throws so BullMQ retries with backoff
 * (MAIL_SEND_OPTIONS); a permanent refusal (5xx) fails the job at once.
 */
@Injectable()
@JobHandler('mail.send')
export class MailSendHandler implements HandlesJob<'mail.send'> {
  private readonly logger = new Logger('Mail');

  constructor(private readonly sender: MailSender) {}

  async handle(
    data: JobPayloads['mail.send'],
    job: Job<JobPayloads['mail.send']>,
  ): Promise<{ result: string }> {
    try {
      const result = await this.sender.send(data);
      this.logger.debug(`Mail job ${job.id}: ${result}`);
      return { result };
    } catch (err) {
      if (isPermanentSmtpError(err)) {
        throw new UnrecoverableError(`The SMTP server refused the mail: ${(err as Error).message}`);
      }
      throw err;
    }
  }
}
