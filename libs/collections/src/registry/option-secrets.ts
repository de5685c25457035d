import { AppError, SecretBox, type FieldProblem } from '@plinth/core';
import { presentIdField } from '../fields/id-field.js';
import { type CollectionDef, DEFAULT_MFA, DEFAULT_OTP, type FieldDef } from '../schema/collection.types.js';

type Json = Record<string, unknown>;

export function providersOf(oauth2: Json | undefined): Json[] {
  const providers = oauth2?.providers;
  return Array.isArray(providers) ? (providers as Json[]) : [];
}

/** Where the request body put the oauth2 settings: at the top level, or in the former `options`. */
export function oauth2PathOf(input: unknown): string {
  const body = input && typeof input === 'object' ? (input as Json) : {};
  return body.oauth2 === undefined && (body.options as Json | undefined)?.oauth2 !== undefined
    ? 'options.oauth2'
    : 'oauth2';
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
 * `input` is the request body: when it has no `oauth2` (nor the former `options.oauth2`), the stored
 * (already sealed) settings were carried over unchanged.
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
  const stored = new Map(providersOf(existing?.oauth2).map((p) => [p.name, p]));
  const oauth2 = structuredClone(next.oauth2);
  const path = oauth2PathOf(input);
  const errors: FieldProblem[] = [];
  providersOf(oauth2).forEach((provider, i) => {
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
        path: `${path}.providers.${i}.clientSecret`,
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
  return { ...next, oauth2 };
}

/** The collection as answers show it: secrets blanked; auth collections with PocketBase's otp and mfa. */
export function presentCollection(def: CollectionDef): CollectionDef {
  // Where a view's files come from is the server's business (file downloads), not the schema's.
  const { viewFileSources: _sources, ...visible } = def;
  const shown = withIdField(blankOptionSecrets(visible));
  if (def.type !== 'auth') return shown;
  return {
    ...shown,
    otp: { ...structuredClone(DEFAULT_OTP), ...def.otp },
    mfa: { ...DEFAULT_MFA, ...def.mfa },
  };
}

/** A text-id collection as PocketBase shows it: its id field first in `fields`. */
function withIdField(def: CollectionDef): CollectionDef {
  if (!def.idField) return def;
  const { idField, ...rest } = def;
  return { ...rest, fields: [presentIdField(idField) as unknown as FieldDef, ...def.fields] };
}

/** The collection as answers show it: every provider client secret blanked to "". */
export function blankOptionSecrets(def: CollectionDef): CollectionDef {
  if (!providersOf(def.oauth2).length) return def;
  const oauth2 = structuredClone(def.oauth2!);
  for (const provider of providersOf(oauth2)) provider.clientSecret = '';
  return { ...def, oauth2 };
}
