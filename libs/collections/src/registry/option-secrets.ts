import { SecretBox } from '@plinth/core';
import type { CollectionDef } from '../schema/collection.types.js';

type Json = Record<string, unknown>;

function providersOf(oauth2: Json | undefined): Json[] {
  const providers = oauth2?.providers;
  return Array.isArray(providers) ? (providers as Json[]) : [];
}

/**
 * Encrypts the provider client secrets of a collection about to be saved (DESIGN §10: secrets are
 * write-only). A provider sent with `clientSecret: ""` or without it keeps the secret stored for the
 * provider of the same name. `input` is the request body: when it has no `oauth2` (nor the former
 * `options.oauth2`), the stored (already sealed) settings were carried over unchanged.
 */
export function sealOptionSecrets(
  next: CollectionDef,
  existing: CollectionDef | null,
  input: unknown,
  box: SecretBox,
): CollectionDef {
  const body = input && typeof input === 'object' ? (input as Json) : {};
  const given = body.oauth2 ?? (body.options as Json | undefined)?.oauth2;
  if (given === undefined || !next.oauth2) return next;
  const stored = new Map(providersOf(existing?.oauth2).map((p) => [p.name, p.clientSecret]));
  const oauth2 = structuredClone(next.oauth2);
  for (const provider of providersOf(oauth2)) {
    const secret = provider.clientSecret;
    if (typeof secret === 'string' && secret !== '') {
      provider.clientSecret = box.seal(secret);
    } else {
      const kept = stored.get(provider.name);
      if (SecretBox.isSealed(kept)) provider.clientSecret = kept;
      else delete provider.clientSecret;
    }
  }
  return { ...next, oauth2 };
}

/** The collection as answers show it: every provider client secret blanked to "". */
export function blankOptionSecrets(def: CollectionDef): CollectionDef {
  if (!providersOf(def.oauth2).length) return def;
  const oauth2 = structuredClone(def.oauth2!);
  for (const provider of providersOf(oauth2)) provider.clientSecret = '';
  return { ...def, oauth2 };
}
