import { SecretBox } from '@plinth/core';

export type OAuth2ProviderName = 'google' | 'github' | 'oidc';

/** One provider of `options.oauth2.providers` as stored (the secret sealed), with its secret opened. */
export interface OAuth2ProviderSettings {
  name: OAuth2ProviderName;
  clientId: string;
  clientSecret: string;
  authUrl?: string;
  tokenUrl?: string;
  userInfoUrl?: string;
  issuer?: string;
}

export interface OAuth2Settings {
  enabled: boolean;
  redirectAllowList: string[];
  providers: Array<Omit<OAuth2ProviderSettings, 'clientSecret'> & { clientSecret?: string }>;
}

/** `options.oauth2` of an auth collection with its defaults (validated when the collection was saved). */
export function oauth2SettingsOf(options: Record<string, unknown> | undefined): OAuth2Settings {
  const raw = (options?.oauth2 ?? {}) as Partial<OAuth2Settings>;
  return {
    enabled: raw.enabled === true,
    redirectAllowList: Array.isArray(raw.redirectAllowList) ? raw.redirectAllowList : [],
    providers: Array.isArray(raw.providers) ? raw.providers : [],
  };
}

/** The provider's settings with its client secret decrypted; undefined when it is not configured. */
export function providerSettings(
  settings: OAuth2Settings,
  name: string,
  box: SecretBox,
): OAuth2ProviderSettings | undefined {
  const p = settings.providers.find((x) => x.name === name);
  if (!p) return undefined;
  const secret = p.clientSecret ?? '';
  return { ...p, clientSecret: SecretBox.isSealed(secret) ? box.open(secret) : secret };
}

/**
 * Whether `target` starts with an allow-listed entry, judged on parsed URLs rather than strings:
 * same scheme, host and port, and a path under the entry's path on a segment boundary, so
 * `https://app.example/auth` allows `https://app.example/auth/done?x=1` but neither
 * `https://app.example.evil.test/auth` nor `https://app.example/authority`.
 */
export function isRedirectAllowed(target: string, allowList: readonly string[]): boolean {
  if (target.length > 2000) return false;
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return false;
  }
  if (url.username || url.password) return false;
  return allowList.some((entry) => {
    let allowed: URL;
    try {
      allowed = new URL(entry);
    } catch {
      return false;
    }
    if (allowed.protocol !== url.protocol || allowed.host !== url.host) return false;
    const base = allowed.pathname;
    if (base === '' || base.endsWith('/')) return url.pathname.startsWith(base);
    return url.pathname === base || url.pathname.startsWith(`${base}/`);
  });
}

/** `redirect` with these query parameters added (kept before any fragment). */
export function withParams(redirect: string, params: Record<string, string>): string {
  const url = new URL(redirect);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.toString();
}
