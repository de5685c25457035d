import { type OAuth2EnvDefaults, SecretBox } from '@plinth/core';

export type OAuth2ProviderName = 'google' | 'github' | 'oidc';

/** One provider of `oauth2.providers` as stored (the secret sealed), with its secret opened. */
export interface OAuth2ProviderSettings {
  name: OAuth2ProviderName;
  clientId: string;
  clientSecret: string;
  authUrl?: string;
  tokenUrl?: string;
  userInfoUrl?: string;
  issuer?: string;
  /** Set when the environment's secret was not used because the collection names its own URLs. */
  envSecretWithheld?: boolean;
}

export interface OAuth2Settings {
  enabled: boolean;
  redirectAllowList: string[];
  providers: Array<Omit<OAuth2ProviderSettings, 'clientSecret'> & { clientSecret?: string }>;
}

/** `oauth2` of an auth collection with its defaults (validated when the collection was saved). */
export function oauth2SettingsOf(def: { oauth2?: Record<string, unknown> } | undefined): OAuth2Settings {
  const raw = (def?.oauth2 ?? {}) as Partial<OAuth2Settings>;
  return {
    enabled: raw.enabled === true,
    redirectAllowList: Array.isArray(raw.redirectAllowList) ? raw.redirectAllowList : [],
    providers: Array.isArray(raw.providers) ? raw.providers : [],
  };
}

/** The environment's defaults per provider (PlinthConfig.oauth2). */
export type OAuth2EnvSettings = Partial<Record<OAuth2ProviderName, OAuth2EnvDefaults>>;

const filled = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

type StoredProvider = OAuth2Settings['providers'][number];

/** clientId and (oidc) issuer of a listed provider, the environment's where the collection leaves them empty. */
function idsOf(
  p: StoredProvider,
  env: OAuth2EnvSettings,
): Pick<OAuth2ProviderSettings, 'clientId' | 'issuer'> {
  const defaults = env[p.name] ?? {};
  const issuer = p.name === 'oidc' ? (filled(p.issuer) ?? defaults.issuer) : undefined;
  return {
    clientId: filled(p.clientId) ?? defaults.clientId ?? '',
    ...(issuer !== undefined ? { issuer } : {}),
  };
}

const ENDPOINT_KEYS = ['authUrl', 'tokenUrl', 'userInfoUrl', 'issuer'] as const;

/** The provider's URLs, the environment's where the collection leaves them empty. */
function endpointsOf(p: StoredProvider, env: OAuth2EnvSettings): Partial<OAuth2ProviderSettings> {
  const defaults = env[p.name] ?? {};
  const out: Partial<OAuth2ProviderSettings> = {};
  for (const key of ENDPOINT_KEYS) {
    const value = filled(p[key]) ?? filled(defaults[key]);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/**
 * Whether the environment has a client secret for this provider that must not go with it: the
 * collection names a URL of its own, and an admin must not learn the operator's secret by pointing
 * a token URL at their own listener. The environment's secret goes only to the environment's URLs
 * or the provider's own.
 */
function withholdsEnvSecret(p: StoredProvider, env: OAuth2EnvSettings): boolean {
  const defaults = env[p.name] ?? {};
  if (filled(p.clientSecret) || !filled(defaults.clientSecret)) return false;
  return ENDPOINT_KEYS.some((key) => filled(p[key]) !== undefined && p[key] !== defaults[key]);
}

/**
 * The provider's settings with its client secret decrypted; undefined when it is not listed.
 * `clientId`, `clientSecret`, the URLs and (oidc) `issuer` left empty in the collection come from
 * the environment (`PLINTH_OAUTH2_<PROVIDER>_…`), each on its own; a value in the collection wins,
 * except that the environment's secret is never sent to a URL set in the collection.
 * The result may still lack a clientId, secret or issuer: see `missingProviderSettings`.
 */
export function providerSettings(
  settings: OAuth2Settings,
  name: string,
  box: SecretBox,
  env: OAuth2EnvSettings = {},
): OAuth2ProviderSettings | undefined {
  const p = settings.providers.find((x) => x.name === name);
  if (!p) return undefined;
  const stored = filled(p.clientSecret);
  const withheld = withholdsEnvSecret(p, env);
  const clientSecret = stored
    ? SecretBox.isSealed(stored)
      ? box.open(stored)
      : stored
    : withheld
      ? ''
      : (env[p.name]?.clientSecret ?? '');
  return {
    ...p,
    ...endpointsOf(p, env),
    ...idsOf(p, env),
    clientSecret,
    ...(withheld ? { envSecretWithheld: true } : {}),
  };
}

/**
 * What a listed provider still lacks once the environment's defaults are applied, as the settings
 * and environment variables that would supply it; empty when it can be used.
 */
export function missingProviderSettings(
  provider: Pick<OAuth2ProviderSettings, 'name' | 'clientId' | 'issuer' | 'envSecretWithheld'>,
): string[] {
  const env = `PLINTH_OAUTH2_${provider.name.toUpperCase()}`;
  const missing: string[] = [];
  if (!provider.clientId) missing.push(`clientId (or ${env}_CLIENT_ID)`);
  if (provider.name === 'oidc' && !provider.issuer) missing.push(`issuer (or ${env}_ISSUER)`);
  if (provider.envSecretWithheld) {
    missing.push(
      `clientSecret (${env}_CLIENT_SECRET is sent only to the URLs of the environment or the provider's own)`,
    );
  }
  return missing;
}

/**
 * The names of the providers of `settings` that can be used (listed, with a clientId and, for oidc,
 * an issuer, from the collection or the environment). Secrets are not opened.
 */
export function usableProviderNames(
  settings: OAuth2Settings,
  env: OAuth2EnvSettings = {},
): OAuth2ProviderName[] {
  if (!settings.enabled) return [];
  return settings.providers
    .filter(
      (p) =>
        missingProviderSettings({
          name: p.name,
          ...idsOf(p, env),
          envSecretWithheld: withholdsEnvSecret(p, env),
        }).length === 0,
    )
    .map((p) => p.name);
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
