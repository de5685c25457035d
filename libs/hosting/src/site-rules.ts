/**
 * A site's own headers and redirects, from `plinth.json` and Netlify's `_headers` / `_redirects` at
 * the deploy root: parsed once per deploy (a bad file refuses the deploy with its line), matched per
 * request. Plain functions, no I/O.
 */

export interface RedirectRule {
  from: string;
  to: string;
  /** 301/302/303/307/308 redirect; 200 serves `to` (a path of the same site) under the asked URL; 404 too. */
  status: number;
  /** Applies even when a file exists at the path (Netlify's `!`). */
  force: boolean;
  match: (path: string) => Record<string, string> | undefined;
}

export interface HeaderRule {
  from: string;
  headers: Array<[string, string]>;
  match: (path: string) => Record<string, string> | undefined;
}

export interface SiteRules {
  headers: HeaderRule[];
  redirects: RedirectRule[];
  /** `plinth.json`'s `spaFallback`, when it sets one (else the hosting setting decides). */
  spaFallback?: boolean;
  /** `plinth.json`'s `contentSecurityPolicy`: sent on every answer of the site. */
  csp?: string;
}

export const EMPTY_RULES: SiteRules = { headers: [], redirects: [] };

export class SiteConfigError extends Error {}

const MAX_RULES = 1000;
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/;
/** Headers the server owns: a site setting them would break framing, ranges or compression. */
const RESERVED_HEADERS = new Set([
  'content-length',
  'content-encoding',
  'content-range',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'trailer',
  'etag',
  'vary',
]);
const REDIRECT_STATUSES = new Set([200, 301, 302, 303, 307, 308, 404]);

/** `/blog/:slug/*` → a matcher giving `{slug, splat}`; `*` only at the end, `:name` one segment. */
function compilePattern(
  pattern: string,
  where: string,
): (path: string) => Record<string, string> | undefined {
  if (!pattern.startsWith('/') || pattern.length > 1024) {
    throw new SiteConfigError(`${where}: "${pattern.slice(0, 100)}" must be a path starting with "/"`);
  }
  const names: string[] = [];
  let source = '^';
  const parts = pattern.split('/').slice(1);
  for (const [i, part] of parts.entries()) {
    source += '/';
    if (part === '*' && i === parts.length - 1) {
      source = source.slice(0, -1) + '(?:/(.*))?';
      names.push('splat');
    } else if (/^:[A-Za-z_][A-Za-z0-9_]*$/.test(part)) {
      source += '([^/]+)';
      names.push(part.slice(1));
    } else if (part.includes('*')) {
      throw new SiteConfigError(`${where}: "*" may only be the last segment of "${pattern.slice(0, 100)}"`);
    } else {
      source += part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    }
  }
  const re = new RegExp(source + '/?$');
  return (path) => {
    const m = re.exec(path);
    if (!m) return undefined;
    const params: Record<string, string> = {};
    names.forEach((n, k) => (params[n] = m[k + 1] ?? ''));
    return params;
  };
}

function checkHeader(name: string, value: string, where: string): [string, string] {
  if (!HEADER_NAME.test(name))
    throw new SiteConfigError(`${where}: "${name.slice(0, 100)}" is not a header name`);
  if (RESERVED_HEADERS.has(name.toLowerCase())) {
    throw new SiteConfigError(`${where}: the server sets ${name} itself; remove it`);
  }
  // eslint-disable-next-line no-control-regex
  if (value.length > 8192 || /[\r\n\u0000]/.test(value)) {
    throw new SiteConfigError(`${where}: the value of ${name} must be one line of at most 8192 characters`);
  }
  return [name.toLowerCase(), value];
}

function redirect(from: string, to: string, status: number, force: boolean, where: string): RedirectRule {
  if (!REDIRECT_STATUSES.has(status)) {
    throw new SiteConfigError(`${where}: status ${status} is not one of 200, 301, 302, 303, 307, 308, 404`);
  }
  const external = /^https?:\/\//.test(to);
  if (!external && !to.startsWith('/')) {
    throw new SiteConfigError(`${where}: "${to.slice(0, 100)}" must start with "/" or http(s)://`);
  }
  if (external && (status === 200 || status === 404)) {
    throw new SiteConfigError(
      `${where}: a ${status} rule serves a file of this site; it cannot point elsewhere`,
    );
  }
  // eslint-disable-next-line no-control-regex
  if (to.length > 2048 || /[\s\u0000-\u001f]/.test(to)) {
    throw new SiteConfigError(`${where}: the destination must be one URL without spaces`);
  }
  return { from, to, status, force, match: compilePattern(from, where) };
}

/** `to` with `:splat` and `:name` replaced by what the request's path matched. */
export function fillDestination(to: string, params: Record<string, string>): string {
  return to.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, (whole, name: string) =>
    name in params ? params[name]! : whole,
  );
}

/** Netlify's `_redirects`: `from to [status][!]` per line, `#` comments. */
export function parseRedirectsFile(text: string): RedirectRule[] {
  const rules: RedirectRule[] = [];
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) continue;
    const where = `_redirects line ${i + 1}`;
    const [from, to, code, ...rest] = line.split(/\s+/);
    if (!to || rest.length) throw new SiteConfigError(`${where}: write "from to [status]"`);
    const m = /^(\d{3})(!?)$/.exec(code ?? '301');
    if (!m) throw new SiteConfigError(`${where}: "${code}" is not a status such as 301 or 200!`);
    rules.push(redirect(from!, to, Number(m[1]), m[2] === '!', where));
  }
  if (rules.length > MAX_RULES) throw new SiteConfigError(`_redirects has more than ${MAX_RULES} rules`);
  return rules;
}

/** Netlify's `_headers`: a path line, then indented `Name: value` lines. */
export function parseHeadersFile(text: string): HeaderRule[] {
  const rules: HeaderRule[] = [];
  let current: HeaderRule | undefined;
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    if (!raw.trim() || raw.trim().startsWith('#')) continue;
    const where = `_headers line ${i + 1}`;
    if (!/^\s/.test(raw)) {
      const from = raw.trim();
      current = { from, headers: [], match: compilePattern(from, where) };
      rules.push(current);
      continue;
    }
    if (!current) throw new SiteConfigError(`${where}: a header line needs a path line above it`);
    const colon = raw.indexOf(':');
    if (colon < 0) throw new SiteConfigError(`${where}: write "Name: value"`);
    current.headers.push(checkHeader(raw.slice(0, colon).trim(), raw.slice(colon + 1).trim(), where));
  }
  if (rules.length > MAX_RULES) throw new SiteConfigError(`_headers has more than ${MAX_RULES} rules`);
  return rules;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  !!v && typeof v === 'object' && !Array.isArray(v);

/**
 * `plinth.json`: `{spaFallback?, contentSecurityPolicy?, headers?: [{source, headers: {Name: value}}],
 * redirects?: [{source, destination, status?: 301}], rewrites?: [{source, destination}]}`.
 */
export function parsePlinthJson(text: string): SiteRules {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new SiteConfigError(`plinth.json is not valid JSON: ${(err as Error).message}`);
  }
  if (!isObject(parsed)) throw new SiteConfigError('plinth.json must hold a JSON object');
  const doc = parsed;
  const known = new Set([
    'spaFallback',
    'contentSecurityPolicy',
    'headers',
    'redirects',
    'rewrites',
    '$schema',
  ]);
  const unknown = Object.keys(doc).filter((k) => !known.has(k));
  if (unknown.length) {
    throw new SiteConfigError(
      `plinth.json: unknown key "${unknown[0]}" (known: spaFallback, contentSecurityPolicy, headers, redirects, rewrites)`,
    );
  }
  const list = (key: string): unknown[] => {
    const v = doc[key];
    if (v === undefined) return [];
    if (!Array.isArray(v) || v.length > MAX_RULES) {
      throw new SiteConfigError(`plinth.json: ${key} must be a list of at most ${MAX_RULES} rules`);
    }
    return v;
  };
  const text_ = (v: unknown, where: string): string => {
    if (typeof v !== 'string') throw new SiteConfigError(`${where} must be a string`);
    return v;
  };
  const rules: SiteRules = { headers: [], redirects: [] };
  if (doc.spaFallback !== undefined) {
    if (typeof doc.spaFallback !== 'boolean')
      throw new SiteConfigError('plinth.json: spaFallback must be true or false');
    rules.spaFallback = doc.spaFallback;
  }
  if (doc.contentSecurityPolicy !== undefined) {
    rules.csp = checkHeader(
      'Content-Security-Policy',
      text_(doc.contentSecurityPolicy, 'plinth.json: contentSecurityPolicy'),
      'plinth.json: contentSecurityPolicy',
    )[1];
  }
  list('headers').forEach((r, i) => {
    const where = `plinth.json: headers.${i}`;
    if (!isObject(r) || !isObject(r.headers))
      throw new SiteConfigError(`${where} must be {source, headers: {Name: value}}`);
    const from = text_(r.source, `${where}.source`);
    rules.headers.push({
      from,
      headers: Object.entries(r.headers).map(([k, v]) =>
        checkHeader(k, text_(v, `${where}.headers.${k}`), where),
      ),
      match: compilePattern(from, where),
    });
  });
  list('redirects').forEach((r, i) => {
    const where = `plinth.json: redirects.${i}`;
    if (!isObject(r)) throw new SiteConfigError(`${where} must be {source, destination, status?}`);
    const status = r.status ?? 301;
    if (typeof status !== 'number') throw new SiteConfigError(`${where}.status must be a number`);
    rules.redirects.push(
      redirect(
        text_(r.source, `${where}.source`),
        text_(r.destination, `${where}.destination`),
        status,
        r.force === true,
        where,
      ),
    );
  });
  list('rewrites').forEach((r, i) => {
    const where = `plinth.json: rewrites.${i}`;
    if (!isObject(r)) throw new SiteConfigError(`${where} must be {source, destination}`);
    rules.redirects.push(
      redirect(
        text_(r.source, `${where}.source`),
        text_(r.destination, `${where}.destination`),
        200,
        false,
        where,
      ),
    );
  });
  return rules;
}

/** The rules of a deploy: plinth.json first, then `_redirects` and `_headers` (each optional). */
export function combineRules(parts: {
  plinthJson?: string;
  redirects?: string;
  headers?: string;
}): SiteRules {
  const rules =
    parts.plinthJson !== undefined ? parsePlinthJson(parts.plinthJson) : { headers: [], redirects: [] };
  if (parts.redirects !== undefined) rules.redirects.push(...parseRedirectsFile(parts.redirects));
  if (parts.headers !== undefined) rules.headers.push(...parseHeadersFile(parts.headers));
  return rules;
}

/** Headers every rule matching `path` adds, later rules winning. */
export function headersFor(rules: SiteRules, path: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const rule of rules.headers) if (rule.match(path)) out.push(...rule.headers);
  return out;
}

/** The first redirect rule matching `path` (forced ones only when `fileExists`). */
export function redirectFor(
  rules: SiteRules,
  path: string,
  fileExists: boolean,
): { rule: RedirectRule; to: string } | undefined {
  for (const rule of rules.redirects) {
    if (fileExists && !rule.force) continue;
    const params = rule.match(path);
    if (params) return { rule, to: fillDestination(rule.to, params) };
  }
  return undefined;
}
