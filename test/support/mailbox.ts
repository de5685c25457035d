import { SMTPServer } from 'smtp-server';
import { eventually } from '@plinth/testing';

export interface ReceivedMail {
  to: string[];
  from: string;
  subject: string;
  text: string;
  /** Whether it came over TLS (smtps or after STARTTLS). */
  secure: boolean;
  /** The user it authenticated as (SMTP AUTH), if any. */
  user?: string;
}

export interface MailboxOptions {
  /** Key and certificate: STARTTLS is offered with them (or TLS from the first byte with `secure`). */
  tls?: { key: string; cert: string };
  /** smtps: TLS from the first byte (needs `tls`). */
  secure?: boolean;
  /** SMTP AUTH required with these credentials, and only over TLS when `tls` is set. */
  auth?: { user: string; pass: string };
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
  /** AUTH attempts refused (wrong user or password). */
  authFailures = 0;
  private readonly server: SMTPServer;

  private constructor(
    private readonly askedPort: number,
    private readonly opts: MailboxOptions = {},
  ) {
    const { tls, auth } = opts;
    this.server = new SMTPServer({
      secure: Boolean(opts.secure),
      ...(tls ? { key: tls.key, cert: tls.cert } : {}),
      disabledCommands: tls ? [] : ['STARTTLS'],
      logger: false,
      ...(auth
        ? {
            authOptional: false,
            // Over TLS only, when there is TLS: credentials never cross in the clear.
            allowInsecureAuth: !tls,
            onAuth: (attempt, _session, callback) => {
              if (attempt.username === auth.user && attempt.password === auth.pass) {
                return callback(null, { user: attempt.username });
              }
              this.authFailures++;
              callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
            },
          }
        : { authOptional: true }),
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
            secure: session.secure,
            user: typeof session.user === 'string' ? session.user : undefined,
          });
          callback();
        });
      },
    });
  }

  /** Listens on `port` (0: any free one) on 127.0.0.1. */
  static async start(port = 0, opts: MailboxOptions = {}): Promise<Mailbox> {
    const box = new Mailbox(port, opts);
    await new Promise<void>((resolve, reject) => {
      box.server.once('error', reject);
      box.server.listen(box.askedPort, '127.0.0.1', () => resolve());
    });
    return box;
  }

  /** The port it listens on. */
  get port(): number {
    return (this.server.server.address() as { port: number }).port;
  }

  get url(): string {
    return `${this.opts.secure ? 'smtps' : 'smtp'}://127.0.0.1:${this.port}`;
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
