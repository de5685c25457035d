import type { Principal } from '@plinth/core';

/** One request as the log stores it: every text already cleaned and capped. */
export interface LogEntry {
  id: string;
  created: Date;
  method: string;
  route: string;
  url: string;
  status: number;
  durationMs: number;
  size: number;
  ip: string;
  userAgent: string;
  authKind: string;
  authId: string;
  requestId: string;
  errorCode: string;
  errorMessage: string;
}

export const MAX_URL = 2048;
export const MAX_USER_AGENT = 512;
export const MAX_ERROR_MESSAGE = 1000;

/** Query parameters whose values never reach the log (matched without case, also inside longer names). */
const SECRET_PARAMS = /token|key|password|passwd|secret|code|state|signature|sig$|otp|clientid/i;

// C0 and C1 control characters (and DEL): they would corrupt a terminal or a log viewer.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/** Untrusted text as stored: control characters removed, at most `max` characters. */
export function cleanText(text: string | undefined, max: number): string {
  if (!text) return '';
  const clean = text.slice(0, max * 2).replace(CONTROL, '');
  return clean.length > max ? clean.slice(0, max) : clean;
}

/** The URL with the values of secret query parameters replaced by `[redacted]`, cleaned and capped. */
export function redactRequestUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return cleanText(url, MAX_URL);
  const path = url.slice(0, q);
  const query = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const rawName = eq < 0 ? pair : pair.slice(0, eq);
      let name = rawName;
      try {
        name = decodeURIComponent(rawName.replace(/\+/g, ' '));
      } catch {
        // A malformed escape: judge the raw name.
      }
      return eq >= 0 && SECRET_PARAMS.test(name) ? `${rawName}=[redacted]` : pair;
    })
    .join('&');
  return cleanText(`${path}?${query}`, MAX_URL);
}

/** How the caller signed in, as `authKind` and `authId` ('anonymous' and '' without credentials). */
export function authOf(principal: Principal | undefined): { authKind: string; authId: string } {
  if (!principal || principal.kind === 'anonymous') return { authKind: 'anonymous', authId: '' };
  return { authKind: principal.kind, authId: principal.id };
}
