import { SecretBox } from '@plinth/core';
import type { CollectionDef } from '../schema/collection.types.js';

type Json = Record<string, unknown>;

function providersOf(options: Json | undefined): Json[] {
  const oauth2 = options?.oauth2 as Json | undefined;
  const providers = oauth2?.providers;
  return Array.isArray(providers) ? (providers as Json[]) : [];
}

/**
 * Encrypts the provider client secrets of a collection about to be saved (DESIGN §10: secrets are
 * write-only). A provider sent with `clientSecret: ""` or without it keeps the secret stored for the
 * provider of the same name. `input` is the request body: when it has no `options`, the stored
 * (already sealed) options were carried over unchanged.
 */
export function sealOptionSecrets(
  next: CollectionDef,
  existing: CollectionDef | null,
  input: unknown,
  box: SecretBox,
): CollectionDef {
  const given = input && typeof input === 'object' ? (input as Json).options : undefined;
  if (given === undefined || !next.options) return next;
  const stored = new Map(providersOf(existing?.options).map((p) => [p.name, p.clientSecret]));
  const options = structuredClone(next.options);
  for (const provider of providersOf(options)) {
    const secret = provider.clientSecret;
    if (typeof secret === 'string' && secret !== '') {
      provider.clientSecret = box.seal(secret);
    } else {
      const kept = stored.get(provider.name);
      if (SecretBox.isSealed(kept)) provider.clientSecret = kept;
      else delete provider.clientSecret;
    }
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
