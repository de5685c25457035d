import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { Inject, Injectable } from '@nestjs/common';
import { assertPublicUrl, PLINTH_CONFIG, publicOnlyLookup, type ResolvedConfig } from '@plinth/core';

/** The endpoints of an OpenID Connect issuer, from its discovery document. */
export interface OidcEndpoints {
  issuer: string;
  authorizationUrl: string;
  tokenUrl: string;
  userInfoUrl?: string;
}

const CACHE_MS = 60 * 60 * 1000;
const FETCH_TIMEOUT_MS = 5000;
const MAX_DOCUMENT = 256 * 1024;

/**
 * GET of a JSON document without following redirects, through `lookup` when given (so the address
 * actually connected to is the one checked), with a whole-request timeout and a size cap.
 */
function getJson(url: string, lookup?: LookupFunction): Promise<{ status: number; body: unknown }> {
  const target = new URL(url);
  const client = target.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.get(target, { headers: { accept: 'application/json' }, lookup }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_DOCUMENT) req.destroy(new Error('The discovery document is too large.'));
        else chunks.push(c);
      });
      res.on('end', () => {
        clearTimeout(timer);
        let body: unknown;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          body = undefined;
        }
        resolve({ status: res.statusCode ?? 0, body });
      });
      res.on('error', reject);
    });
    const timer = setTimeout(
      () => req.destroy(new Error('The issuer did not answer in time.')),
      FETCH_TIMEOUT_MS,
    );
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

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
  /** Unless private endpoints are allowed, the issuer's address is checked on connect (issue 16). */
  private readonly lookup?: LookupFunction;

  constructor(@Inject(PLINTH_CONFIG) config: ResolvedConfig) {
    if (!config.allowPrivateEndpoints) this.lookup = publicOnlyLookup();
  }

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
    const url = `${base}/.well-known/openid-configuration`;
    if (this.lookup) assertPublicUrl(url);
    const res = await getJson(url, this.lookup);
    if (res.status !== 200) throw new Error(`The issuer's discovery document answered ${res.status}.`);
    if (!res.body || typeof res.body !== 'object') throw new Error('The discovery document is not JSON.');
    const doc = res.body as Record<string, unknown>;
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
