import type { FastifyInstance, FastifyReply } from 'fastify';
import { ACCOUNT_PAGES, type AccountPage } from '@plinth/auth';
import { type CollectionsRegistry, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '@plinth/collections';
import type { ResolvedConfig } from '@plinth/core';
import { ACCOUNT_PAGE_SCRIPT, ACCOUNT_PAGE_STYLE } from './account-pages-assets.js';

/**
 * The pages account mails link to (issue 28): confirm an email, set a new password, confirm an email
 * change. Small server-rendered HTML outside the admin console's bundle and session; a static script
 * posts the token (from the URL fragment) to the collection's confirm-* route.
 */

export const ACCOUNT_PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "base-uri 'none'",
  // The script submits; a form posted without it must not go anywhere.
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const HEADERS: Record<string, string> = {
  'content-security-policy': ACCOUNT_PAGE_CSP,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => ESCAPES[ch]!);

interface PageText {
  title: string;
  intro: string;
  fields: string;
  submit: string;
  done: string;
}

function texts(page: AccountPage, app: string): PageText {
  switch (page) {
    case 'confirm-verification':
      return {
        title: 'Confirm your email',
        intro: `Confirm that this email address belongs to your ${app} account.`,
        fields: '',
        submit: 'Confirm my email',
        done: `Your email is confirmed. You can close this page and go on using ${app}.`,
      };
    case 'confirm-password-reset':
      return {
        title: 'Set a new password',
        intro: `Choose a new password for your ${app} account. Setting it signs you out on every device.`,
        fields:
          `<label for="password">New password</label>` +
          `<input id="password" name="password" type="password" autocomplete="new-password" required autofocus ` +
          `minlength="${PASSWORD_MIN_LENGTH}" maxlength="${PASSWORD_MAX_LENGTH}" aria-describedby="rules">` +
          `<p id="rules" class="hint">Use ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters.</p>` +
          `<label for="passwordConfirm">New password again</label>` +
          `<input id="passwordConfirm" name="passwordConfirm" type="password" autocomplete="new-password" required ` +
          `minlength="${PASSWORD_MIN_LENGTH}" maxlength="${PASSWORD_MAX_LENGTH}">`,
        submit: 'Set the new password',
        done: `Your new password is set and you are signed out everywhere. Sign in to ${app} with the new password.`,
      };
    case 'confirm-email-change':
      return {
        title: 'Confirm your new email',
        intro: `Enter your ${app} password to make this address the email of your account. This link works once.`,
        fields:
          `<label for="password">Your current password</label>` +
          `<input id="password" name="password" type="password" autocomplete="current-password" required autofocus maxlength="1024">`,
        submit: 'Confirm the new email',
        done: `Your email is changed and you are signed out everywhere. Sign in to ${app} with the new email.`,
      };
  }
}

function layout(app: string, title: string, main: string, data = ''): string {
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<meta name="robots" content="noindex">` +
    `<title>${esc(title)} · ${esc(app)}</title><link rel="stylesheet" href="/_/account/account.css"></head>` +
    `<body${data}><main><p class="app">${esc(app)}</p>${main}</main></body></html>`
  );
}

function backLink(app: string, appUrl: string | undefined, hidden: boolean): string {
  if (!appUrl) return '';
  return `<p id="back" class="back"${hidden ? ' hidden' : ''}><a href="${esc(appUrl)}" rel="noreferrer">Back to ${esc(app)}</a></p>`;
}

export function renderAccountPage(
  page: AccountPage,
  collection: string,
  app: string,
  appUrl: string | undefined,
): string {
  const t = texts(page, esc(app));
  const focusButton = t.fields === '' ? ' autofocus' : '';
  const main =
    `<h1>${t.title}</h1><p>${t.intro}</p>` +
    `<noscript><p class="status error">This page needs JavaScript to send the confirmation.</p></noscript>` +
    `<form id="account-form" method="post" novalidate>${t.fields}` +
    `<button type="submit"${focusButton}>${t.submit}</button></form>` +
    `<p id="status" class="status" role="status" aria-live="polite"></p>` +
    backLink(app, appUrl, true) +
    `<script src="/_/account/account.js"></script>`;
  const data = ` data-page="${page}" data-collection="${esc(collection)}" data-done="${t.done}"`;
  return layout(app, t.title, main, data);
}

/** A page that says why the link cannot work (unknown page or collection). */
export function renderAccountError(app: string, appUrl: string | undefined, message: string): string {
  const main =
    `<h1>This link does not work</h1><p class="status error" role="status">${esc(message)}</p>` +
    backLink(app, appUrl, false);
  return layout(app, 'This link does not work', main);
}

const isAccountPage = (page: string): page is AccountPage =>
  (ACCOUNT_PAGES as readonly string[]).includes(page);

/** Registers GET /_/account/:page and its script and style on the Fastify instance. */
export function registerAccountPages(
  fastify: FastifyInstance,
  config: ResolvedConfig,
  registry: CollectionsRegistry,
): void {
  const { appName, appUrl } = config.mail;
  const send = (reply: FastifyReply, status: number, type: string, body: string) => {
    for (const [k, v] of Object.entries(HEADERS)) reply.header(k, v);
    return reply.status(status).header('content-type', type).header('cache-control', 'no-store').send(body);
  };
  fastify.get('/_/account/account.js', (_req, reply) =>
    send(reply, 200, 'text/javascript; charset=utf-8', ACCOUNT_PAGE_SCRIPT),
  );
  fastify.get('/_/account/account.css', (_req, reply) =>
    send(reply, 200, 'text/css; charset=utf-8', ACCOUNT_PAGE_STYLE),
  );
  fastify.get<{ Params: { page: string }; Querystring: { collection?: unknown } }>(
    '/_/account/:page',
    (request, reply) => {
      const html = 'text/html; charset=utf-8';
      const { page } = request.params;
      const name = typeof request.query.collection === 'string' ? request.query.collection : '';
      if (!isAccountPage(page)) {
        return send(reply, 404, html, renderAccountError(appName, appUrl, 'There is no such account page.'));
      }
      const c = name ? registry.find(name) : undefined;
      if (!c?.isAuth) {
        const why = `This link names no existing user collection. Ask ${appName} for a new mail.`;
        return send(reply, 404, html, renderAccountError(appName, appUrl, why));
      }
      return send(reply, 200, html, renderAccountPage(page, c.def.name, appName, appUrl));
    },
  );
}
