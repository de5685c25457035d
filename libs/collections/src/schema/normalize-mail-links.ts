import { jsonTypeOf, type SchemaIssue, show } from './schema-issue.js';

/**
 * `mailLinks` of an auth collection (top level, beside `oauth2`): for an app that prefers its own pages, the URL each account
 * mail links to instead of Plinth's /_/account/ pages. `{TOKEN}` (required) and `{COLLECTION}` are filled in.
 */
export const MAIL_LINK_KINDS = ['verification', 'passwordReset', 'emailChange'] as const;
export type MailLinkKind = (typeof MAIL_LINK_KINDS)[number];
export type MailLinks = Partial<Record<MailLinkKind, string>>;

const MAX_TEMPLATE_LENGTH = 2000;

/** The URL with its placeholders filled; the token is base64url and the collection name URL-safe. */
export function fillMailLink(template: string, token: string, collection: string): string {
  return template
    .replaceAll('{TOKEN}', encodeURIComponent(token))
    .replaceAll('{COLLECTION}', encodeURIComponent(collection));
}

function templateProblem(value: string): string | null {
  if (value.length > MAX_TEMPLATE_LENGTH) return `is longer than ${MAX_TEMPLATE_LENGTH} characters.`;
  if (!value.includes('{TOKEN}')) return `${show(value)} has no {TOKEN} placeholder for the link's token.`;
  let url: URL;
  try {
    url = new URL(fillMailLink(value, 'token', 'collection'));
  } catch {
    return `${show(value)} is not an absolute URL such as "https://app.example/verify?token={TOKEN}".`;
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !url.host) {
    return `${show(value)} must be an http or https URL with a host.`;
  }
  if (url.username || url.password) return `${show(value)} must not carry a user name or password.`;
  return null;
}

/** Lists every problem of `mailLinks` with its path; a missing or null entry means the default page. */
export function mailLinksIssues(raw: unknown, path = 'mailLinks'): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  if (raw === undefined || raw === null) return issues;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    return [
      { path, code: 'INVALID_TYPE', message: `"mailLinks" must be an object, not ${jsonTypeOf(raw)}.` },
    ];
  }
  for (const [key, value] of Object.entries(raw)) {
    if (!(MAIL_LINK_KINDS as readonly string[]).includes(key)) {
      issues.push({
        path: `${path}.${key}`,
        code: 'UNKNOWN_KEY',
        message: `Unknown key ${show(key)}. "mailLinks" may have: ${MAIL_LINK_KINDS.join(', ')}.`,
      });
    } else if (value !== null && typeof value !== 'string') {
      issues.push({
        path: `${path}.${key}`,
        code: 'INVALID_TYPE',
        message: `"${key}" must be a URL string or null, not ${jsonTypeOf(value)}.`,
      });
    } else if (typeof value === 'string' && value !== '') {
      const problem = templateProblem(value);
      if (problem) issues.push({ path: `${path}.${key}`, code: 'INVALID_VALUE', message: problem });
    }
  }
  return issues;
}

/** The collection's own link template for a kind of mail, if it set one. */
export function mailLinkTemplate(
  def: { mailLinks?: Record<string, unknown> },
  kind: MailLinkKind,
): string | undefined {
  const links = def.mailLinks;
  if (!links || typeof links !== 'object') return undefined;
  const value = (links as Record<string, unknown>)[kind];
  return typeof value === 'string' && value !== '' ? value : undefined;
}
