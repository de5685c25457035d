import { AppError, outboundUrlProblem, PRIVATE_ENDPOINTS_HINT, type FieldProblem } from '@plinth/core';
import type { CollectionDef } from '../schema/collection.types.js';
import { oauth2PathOf, providersOf } from './option-secrets.js';

/** The provider URLs the server itself fetches (authUrl is only where the browser is sent). */
const SERVER_URLS = ['issuer', 'tokenUrl', 'userInfoUrl'] as const;

/**
 * Refuses sign-in providers whose new issuer, token or userinfo URL is on a private or loopback
 * address (issue 16: no SSRF through collection options), unless PLINTH_ALLOW_PRIVATE_ENDPOINTS.
 * Values already stored are not judged again; the HTTP clients check the address on connect.
 */
export function refusePrivateOptionEndpoints(
  next: CollectionDef,
  existing: CollectionDef | null,
  input: unknown,
): void {
  const stored = new Map(providersOf(existing?.oauth2).map((p) => [p.name, p]));
  const path = oauth2PathOf(input);
  const errors: FieldProblem[] = [];
  providersOf(next.oauth2).forEach((provider, i) => {
    for (const key of SERVER_URLS) {
      const value = provider[key];
      if (typeof value !== 'string' || value === '' || value === stored.get(provider.name)?.[key]) continue;
      const problem = outboundUrlProblem(value, false);
      if (problem) {
        errors.push({
          path: `${path}.providers.${i}.${key}`,
          code: 'PRIVATE_ENDPOINT',
          message: `${problem}; ${PRIVATE_ENDPOINTS_HINT}`,
        });
      }
    }
  });
  if (errors.length) {
    throw new AppError(
      'VALIDATION_FAILED',
      'A sign-in provider URL points at a private or loopback address: Plinth does not connect there unless PLINTH_ALLOW_PRIVATE_ENDPOINTS=true (local development).',
      { errors },
    );
  }
}
