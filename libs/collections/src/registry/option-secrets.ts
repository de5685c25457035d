import { AppError, SecretBox, type FieldProblem } from '@plinth/core';
import type { CollectionDef } from '../schema/collection.types.js';

type Json = Record<string, unknown>;

export function providersOf(options: Json | undefined): Json[] {
  const oauth2 = options?.oauth2 as Json | undefined;
  const providers = oauth2?.providers;
  return Array.isArray(providers) ? (providers as Json[]) : [];
}

/** Where a provider's client secret is sent: changing one of these needs the secret again. */
const ENDPOINT_KEYS = ['authUrl', 'tokenUrl', 'userInfoUrl', 'issuer'] as const;

const moved = (next: Json, stored: Json | undefined): string[] =>
  ENDPOINT_KEYS.filter((k) => (next[k] ?? '') !== (stored?.[k] ?? ''));

/**
 * Encrypts the provider client secrets of a collection about to be saved (DESIGN §10: secrets are
 * write-only). A provider sent with `clientSecret: ""` or without it keeps the secret stored for the
 * provider of the same name, unless its endpoints (authUrl, tokenUrl, userInfoUrl, issuer) changed:
 * then the secret must be entered again, or an admin could send it to a server of their own.
 * `input` is the request body: when it has no `options`, the stored (already sealed) options were
 * carried over unchanged.
 */
export function sealOptionSecrets(
  next: CollectionDef,
  existing: CollectionDef | null,
  input: unknown,
  box: SecretBox,
): CollectionDef {
  const given = input && typeof input === 'object' ? (input as Json).options : undefined;
  if (given === undefined || !next.options) return next;
  const stored = new Map(providersOf(existing?.options).map((p) => [p.name, p]));
  const options = structuredClone(next.options);
  const errors: FieldProblem[] = [];
  providersOf(options).forEach((provider, i) => {
    const secret = provider.clientSecret;
    if (typeof secret === 'string' && secret !== '') {
      provider.clientSecret = box.seal(secret);
      return;
    }
    const previous = stored.get(provider.name);
    const kept = previous?.clientSecret;
    if (!SecretBox.isSealed(kept)) {
      delete provider.clientSecret;
      return;
    }
    const changed = moved(provider, previous);
    if (changed.length) {
      errors.push({
        path: `options.oauth2.providers.${i}.clientSecret`,
        code: 'REQUIRED',
        message: `must be entered again: ${changed.join(', ')} changed, and the stored secret is kept only for the endpoints it was saved with`,
      });
    }
    provider.clientSecret = kept;
  });
  if (errors.length) {
    throw new AppError(
      'VALIDATION_FAILED',
      `Enter the client secret again for ${errors.length === 1 ? 'the provider' : 'each provider'} whose URLs or issuer changed: a stored secret is never sent to a changed endpoint.`,
      { errors },
    );
  }
  return { ...next, options };
}

/** The collection as answers show it: every provider client secret blanked to "". */
export function blankOptionSecrets(def: CollectionDef): CollectionDef {
  if (!providersOf(def.options).length) return def;
  const options = structuredClone(def.options!);
  for (const provider of providersOf(options)) provider.clientSecret = '';
  return { ...def, options };
}
