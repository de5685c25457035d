/**
 * How producers enqueue `mail.send`: 5 attempts, 5 s, 10 s, 20 s, 40 s apart, so a short SMTP outage
 * delays mail instead of losing it. Sent mails leave Redis at once (they hold live links); failed
 * ones stay for a week as dead letters.
 */
export const MAIL_SEND_OPTIONS = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 5000 },
  removeOnComplete: true,
} as const;
