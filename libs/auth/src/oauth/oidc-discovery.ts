import { Injectable } from '@nestjs/common';

/** The endpoints of an OpenID Connect issuer, from its discovery document. */
export interface OidcEndpoints {
  issuer: string;
  authorizationUrl: string;
  tokenUrl: string;
  userInfoUrl?: string;
}

const CACHE_MS = 60 * 60 * 1000;
const FETCH_TIMEOUT_MS = 5000;

const httpUrl = (v: unknown): string | undefined => {
  if (typeof v !== 'string') return undefined;
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:' ? v : undefined;
  } catch {
    return undefined;
  }
};

/**
 * Reads `${issuer}/.well-known/openid-configuration` (OpenID Connect Discovery 1.0) and keeps the
 * answer for an hour per replica; a failed fetch is not kept, so the next sign-in tries again.
 */
@Injectable()
export class OidcDiscovery {
  private readonly cache = new Map<string, { at: number; endpoints: Promise<OidcEndpoints> }>();

  endpoints(issuer: string): Promise<OidcEndpoints> {
    const cached = this.cache.get(issuer);
    if (cached && Date.now() - cached.at < CACHE_MS) return cached.endpoints;
    const endpoints = this.fetch(issuer);
    this.cache.set(issuer, { at: Date.now(), endpoints });
    endpoints.catch(() => this.cache.delete(issuer));
    return endpoints;
  }

  private async fetch(issuer: string): Promise<OidcEndpoints> {
    const base = issuer.replace(/\/+$/, '');
    const res = await fetch(`${base}/.well-known/openid-configuration`, {
      headers: { accept: 'application/json' },
      redirect: 'error',
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    });
    if (!res.ok) throw new Error(`The issuer's discovery document answered ${res.status}.`);
    const doc = (await res.json()) as Record<string, unknown>;
    // Discovery §4.3: the document must name the issuer it was fetched from.
    if (typeof doc.issuer !== 'string' || doc.issuer.replace(/\/+$/, '') !== base) {
      throw new Error('The discovery document names another issuer.');
    }
    const authorizationUrl = httpUrl(doc.authorization_endpoint);
    const tokenUrl = httpUrl(doc.token_endpoint);
    if (!authorizationUrl || !tokenUrl) {
      throw new Error('The discovery document lacks authorization_endpoint or token_endpoint.');
    }
    return { issuer: doc.issuer, authorizationUrl, tokenUrl, userInfoUrl: httpUrl(doc.userinfo_endpoint) };
  }
}
