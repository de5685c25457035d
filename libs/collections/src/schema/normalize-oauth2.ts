import { jsonTypeOf, type SchemaIssue, show } from './schema-issue.js';

/** Social sign-in providers an auth collection may switch on (DESIGN §4, §10). */
export const OAUTH2_PROVIDER_NAMES = ['google', 'github', 'oidc'] as const;
export type OAuth2ProviderName = (typeof OAUTH2_PROVIDER_NAMES)[number];

export const MAX_REDIRECT_ALLOW_LIST = 20;
const MAX_URL_LENGTH = 2000;
const MAX_CLIENT_VALUE_LENGTH = 1000;

const OAUTH2_KEYS = new Set(['enabled', 'redirectAllowList', 'providers']);
const PROVIDER_KEYS = new Set([
  'name',
  'clientId',
  'clientSecret',
  'authUrl',
  'tokenUrl',
  'userInfoUrl',
  'issuer',
]);
const URL_KEYS = ['authUrl', 'tokenUrl', 'userInfoUrl', 'issuer'] as const;
/** Schemes that must never receive a sign-in code (they run or embed content instead of navigating). */
const UNSAFE_SCHEMES = new Set(['javascript:', 'data:', 'vbscript:', 'file:', 'blob:', 'about:']);

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function parseUrl(value: string): URL | null {
  try {
    return new URL(value);
  } catch {
    return null;
  }
}

/** An absolute http(s) URL, as provider endpoints must be. */
export function isHttpUrl(value: string): boolean {
  const url = parseUrl(value);
  return url !== null && (url.protocol === 'http:' || url.protocol === 'https:');
}

/**
 * Why `value` cannot be a redirect allow-list entry, or null when it can: an absolute URL
 * (http(s), or an app's own scheme such as `com.example.app://auth`) without query, fragment or
 * credentials, so that prefix matching stays meaningful.
 */
export function redirectEntryProblem(value: string): string | null {
  const url = value.length <= MAX_URL_LENGTH ? parseUrl(value) : null;
  if (!url || !/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    return `${show(value)} is not an absolute URL such as "https://app.example/auth".`;
  }
  if (UNSAFE_SCHEMES.has(url.protocol)) return `${show(value)} uses a scheme that cannot receive a redirect.`;
  if ((url.protocol === 'http:' || url.protocol === 'https:') && !url.host) {
    return `${show(value)} has no host.`;
  }
  if (url.search || url.hash || value.includes('#') || value.includes('?')) {
    return `${show(value)} has a query or fragment; list only the scheme, host and path.`;
  }
  if (url.username || url.password) return `${show(value)} must not carry a user name or password.`;
  return null;
}

/**
 * Checks `options.oauth2` of an auth collection (DESIGN §10) and lists every problem with its path.
 * The value is kept as given; readers apply the defaults (disabled, no redirects, providers' own URLs).
 */
export function oauth2OptionsIssues(raw: unknown, path = 'options.oauth2'): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  const add = (p: string, code: SchemaIssue['code'], message: string) =>
    issues.push({ path: p, code, message });
  if (raw === undefined) return issues;
  if (!isObject(raw)) {
    add(path, 'INVALID_TYPE', `"oauth2" must be an object, not ${jsonTypeOf(raw)}.`);
    return issues;
  }
  for (const key of Object.keys(raw)) {
    if (!OAUTH2_KEYS.has(key)) {
      add(
        `${path}.${key}`,
        'UNKNOWN_KEY',
        `Unknown key ${show(key)}. "oauth2" may have: ${[...OAUTH2_KEYS].join(', ')}.`,
      );
    }
  }
  if (raw.enabled !== undefined && typeof raw.enabled !== 'boolean') {
    add(
      `${path}.enabled`,
      'INVALID_TYPE',
      `"enabled" must be true or false, not ${jsonTypeOf(raw.enabled)}.`,
    );
  }

  const allow = raw.redirectAllowList;
  if (allow !== undefined) {
    if (!Array.isArray(allow)) {
      add(
        `${path}.redirectAllowList`,
        'INVALID_TYPE',
        `"redirectAllowList" must be an array of URLs, not ${jsonTypeOf(allow)}.`,
      );
    } else {
      if (allow.length > MAX_REDIRECT_ALLOW_LIST) {
        add(
          `${path}.redirectAllowList`,
          'OUT_OF_RANGE',
          `"redirectAllowList" may list at most ${MAX_REDIRECT_ALLOW_LIST} URLs; it has ${allow.length}.`,
        );
      }
      allow.forEach((entry: unknown, i) => {
        const p = `${path}.redirectAllowList.${i}`;
        if (typeof entry !== 'string')
          add(p, 'INVALID_TYPE', `Each entry must be a URL string, not ${jsonTypeOf(entry)}.`);
        else {
          const problem = redirectEntryProblem(entry);
          if (problem) add(p, 'INVALID_VALUE', problem);
        }
      });
    }
  }

  const providers = raw.providers;
  if (providers === undefined) return issues;
  if (!Array.isArray(providers)) {
    add(`${path}.providers`, 'INVALID_TYPE', `"providers" must be an array, not ${jsonTypeOf(providers)}.`);
    return issues;
  }
  const seen = new Map<string, number>();
  providers.forEach((provider: unknown, i) => {
    const p = `${path}.providers.${i}`;
    if (!isObject(provider)) {
      add(
        p,
        'INVALID_TYPE',
        `Each provider must be an object like {"name": "google", "clientId": "…"}, not ${jsonTypeOf(provider)}.`,
      );
      return;
    }
    for (const key of Object.keys(provider)) {
      if (!PROVIDER_KEYS.has(key)) {
        add(
          `${p}.${key}`,
          'UNKNOWN_KEY',
          `Unknown key ${show(key)}. A provider may have: ${[...PROVIDER_KEYS].join(', ')}.`,
        );
      }
    }
    const name = provider.name;
    if (name === undefined)
      add(`${p}.name`, 'REQUIRED', `A provider needs "name": one of ${OAUTH2_PROVIDER_NAMES.join(', ')}.`);
    else if (typeof name !== 'string' || !(OAUTH2_PROVIDER_NAMES as readonly string[]).includes(name)) {
      add(
        `${p}.name`,
        'INVALID_VALUE',
        `Unknown provider ${typeof name === 'string' ? show(name) : jsonTypeOf(name)}; use ${OAUTH2_PROVIDER_NAMES.map((n) => `"${n}"`).join(', ')}.`,
      );
    } else if (seen.has(name)) {
      add(
        `${p}.name`,
        'DUPLICATE_VALUE',
        `"${name}" is configured twice (providers ${seen.get(name)} and ${i}); keep one.`,
      );
    } else {
      seen.set(name, i);
    }
    // clientId, clientSecret and (oidc) issuer may be left out or empty: the server then takes
    // PLINTH_OAUTH2_<PROVIDER>_CLIENT_ID / _CLIENT_SECRET / PLINTH_OAUTH2_OIDC_ISSUER from its environment,
    // and a provider configured in neither place is simply not offered.
    for (const key of ['clientId', 'clientSecret'] as const) {
      const value = provider[key];
      if (value === undefined) continue;
      if (typeof value !== 'string') {
        add(`${p}.${key}`, 'INVALID_TYPE', `"${key}" must be a string, not ${jsonTypeOf(value)}.`);
      } else if (value.length > MAX_CLIENT_VALUE_LENGTH) {
        add(
          `${p}.${key}`,
          'OUT_OF_RANGE',
          `"${key}" may be at most ${MAX_CLIENT_VALUE_LENGTH} characters long.`,
        );
      } else if (key === 'clientId' && value !== '' && value.trim() === '') {
        add(
          `${p}.clientId`,
          'REQUIRED',
          '"clientId" must not be blank: give the id from the provider\'s developer console, or leave it out ' +
            "to use the server's PLINTH_OAUTH2_<PROVIDER>_CLIENT_ID.",
        );
      }
    }
    for (const key of URL_KEYS) {
      const value = provider[key];
      if (value === undefined) continue;
      if (typeof value !== 'string')
        add(`${p}.${key}`, 'INVALID_TYPE', `"${key}" must be a URL string, not ${jsonTypeOf(value)}.`);
      else if (value.length > MAX_URL_LENGTH || !isHttpUrl(value))
        add(
          `${p}.${key}`,
          'INVALID_VALUE',
          `"${key}" must be an absolute http(s) URL; ${show(value)} is not.`,
        );
    }
    if (typeof name === 'string' && name !== 'oidc' && provider.issuer !== undefined) {
      add(
        `${p}.issuer`,
        'OPTION_NOT_ALLOWED',
        `Only "oidc" providers have "issuer"; ${name} uses authUrl, tokenUrl and userInfoUrl.`,
      );
    }
  });
  return issues;
}
