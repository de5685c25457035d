import { SMTPServer } from 'smtp-server';
import { eventually } from '@plinth/testing';

export interface ReceivedMail {
  to: string[];
  from: string;
  subject: string;
  text: string;
}

/** Headers (unfolded, lower-case names) and the decoded body of a single-part text mail. */
function parseMail(raw: string): { headers: Map<string, string>; text: string } {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const headers = new Map<string, string>();
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  let body = raw.slice(split + 4);
  const encoding = (headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  if (encoding === 'quoted-printable') {
    const bytes = body
      .replace(/=\r\n/g, '')
      .replace(/=([0-9A-F]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    body = Buffer.from(bytes, 'latin1').toString('utf8');
  } else if (encoding === 'base64') {
    body = Buffer.from(body, 'base64').toString('utf8');
  }
  return { headers, text: body.replace(/\r\n/g, '\n') };
}

/** A local SMTP server (the real protocol, through `smtp-server`) that keeps every mail it receives. */
export class Mailbox {
  readonly mails: ReceivedMail[] = [];
  private readonly server: SMTPServer;

  private constructor(readonly port: number) {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const { headers, text } = parseMail(Buffer.concat(chunks).toString('latin1'));
          this.mails.push({
            to: session.envelope.rcptTo.map((r) => r.address),
            from: headers.get('from') ?? '',
            subject: headers.get('subject') ?? '',
            text,
          });
          callback();
        });
      },
    });
  }

  /** Listens on `port` (0: any free one) on 127.0.0.1. */
  static async start(port = 0): Promise<Mailbox> {
    const box = new Mailbox(port);
    await new Promise<void>((resolve, reject) => {
      box.server.once('error', reject);
      box.server.listen(port, '127.0.0.1', () => resolve());
    });
    return box;
  }

  get url(): string {
    const { port } = this.server.server.address() as { port: number };
    return `smtp://127.0.0.1:${port}`;
  }

  to(address: string): ReceivedMail[] {
    return this.mails.filter((m) => m.to.some((t) => t.toLowerCase() === address.toLowerCase()));
  }

  /** Waits until `count` mails to `address` have arrived; returns them in order. */
  async waitFor(address: string, count = 1, timeoutMs = 10_000): Promise<ReceivedMail[]> {
    await eventually(() => this.to(address).length >= count, timeoutMs);
    return this.to(address);
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** The token at the end of a `/_/#/<page>/<token>` link in a mail. */
export function linkToken(mail: ReceivedMail, page: string): string {
  const match = mail.text.match(new RegExp(`/_/#/${page}/([A-Za-z0-9_-]+)`));
  if (!match) throw new Error(`no ${page} link in the mail:\n${mail.text}`);
  return match[1]!;
}
