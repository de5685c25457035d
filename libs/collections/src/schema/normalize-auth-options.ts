import {
  AUTH_OPTION_KEYS,
  type CollectionDef,
  type CollectionType,
  DEFAULT_MFA,
  DEFAULT_OTP,
} from './collection.types.js';
import { canonicalJson } from './describe-schema-change.js';
import { mailLinksIssues } from './normalize-mail-links.js';
import { oauth2OptionsIssues } from './normalize-oauth2.js';
import { normalizeMfa, normalizeOtp } from './normalize-otp-mfa.js';
import { jsonTypeOf, type SchemaIssue } from './schema-issue.js';

type Json = Record<string, unknown>;
type Add = (path: string, code: SchemaIssue['code'], message: string) => void;
type AuthOptions = Pick<CollectionDef, (typeof AUTH_OPTION_KEYS)[number]>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const MAX_IDENTITY_FIELDS = 10;

/**
 * PocketBase's auth settings at the top level of an auth collection (DESIGN §11): `oauth2`,
 * `passwordAuth`, `authToken`, `authRule`, `manageRule`, `otp`, `mfa`, and Plinth's `mailLinks`. A key left out keeps the stored value. The
 * former `options: {oauth2, mailLinks}` is still read, so older schema files and clients keep working.
 * `identityFields` are checked against `fieldNames` (text or email fields with `unique`).
 */
export function normalizeAuthOptions(
  body: Json,
  existing: CollectionDef | null,
  type: CollectionType,
  typeKnown: boolean,
  identityCandidates: ReadonlySet<string>,
  add: Add,
): AuthOptions {
  const given = (key: string): unknown => (Object.hasOwn(body, key) ? body[key] : undefined);
  const legacy = given('options');
  if (type !== 'auth') {
    if (typeKnown) {
      for (const key of [...AUTH_OPTION_KEYS, 'options']) {
        if (given(key) !== undefined)
          add(key, 'OPTION_NOT_ALLOWED', `Only auth collections have "${key}"; remove it.`);
      }
    }
    return {};
  }
  const out: AuthOptions = {};
  for (const key of AUTH_OPTION_KEYS) {
    if (existing?.[key] !== undefined) (out as Json)[key] = existing[key];
  }

  let oauth2 = given('oauth2');
  let oauth2Path = 'oauth2';
  if (oauth2 === undefined && legacy !== undefined) {
    if (!isObject(legacy))
      add('options', 'INVALID_TYPE', `"options" must be an object, not ${jsonTypeOf(legacy)}.`);
    else if (legacy.oauth2 !== undefined) [oauth2, oauth2Path] = [legacy.oauth2, 'options.oauth2'];
  }
  if (oauth2 !== undefined) {
    const issues = oauth2OptionsIssues(oauth2, oauth2Path);
    for (const i of issues) add(i.path, i.code, i.message);
    if (!issues.length) out.oauth2 = oauth2 as Json;
  }

  let mailLinks = given('mailLinks');
  let mailLinksPath = 'mailLinks';
  if (mailLinks === undefined && isObject(legacy) && legacy.mailLinks !== undefined) {
    [mailLinks, mailLinksPath] = [legacy.mailLinks, 'options.mailLinks'];
  }
  if (mailLinks !== undefined) {
    const issues = mailLinksIssues(mailLinks, mailLinksPath);
    for (const i of issues) add(i.path, i.code, i.message);
    if (!issues.length) {
      if (mailLinks === null) delete out.mailLinks;
      else out.mailLinks = mailLinks as Record<string, string | null>;
    }
  }

  const password = given('passwordAuth');
  if (password !== undefined) {
    if (!isObject(password)) {
      add('passwordAuth', 'INVALID_TYPE', `"passwordAuth" must be an object, not ${jsonTypeOf(password)}.`);
    } else {
      const enabled = password.enabled ?? out.passwordAuth?.enabled ?? true;
      const fields = password.identityFields ?? out.passwordAuth?.identityFields ?? ['email'];
      let ok = true;
      for (const key of Object.keys(password)) {
        if (key !== 'enabled' && key !== 'identityFields') {
          add(
            `passwordAuth.${key}`,
            'UNKNOWN_KEY',
            `Unknown key "${key}"; passwordAuth has enabled and identityFields.`,
          );
          ok = false;
        }
      }
      if (typeof enabled !== 'boolean') {
        add('passwordAuth.enabled', 'INVALID_TYPE', '"enabled" must be true or false.');
        ok = false;
      }
      if (!Array.isArray(fields) || !fields.length || fields.length > MAX_IDENTITY_FIELDS) {
        add(
          'passwordAuth.identityFields',
          'INVALID_TYPE',
          `"identityFields" must list 1 to ${MAX_IDENTITY_FIELDS} field names, such as ["email", "username"].`,
        );
        ok = false;
      } else {
        fields.forEach((f: unknown, i) => {
          if (typeof f !== 'string' || (f !== 'email' && !identityCandidates.has(f))) {
            add(
              `passwordAuth.identityFields.${i}`,
              'INVALID_VALUE',
              `${JSON.stringify(f)} cannot identify an account: use "email" or a unique text or email field.`,
            );
            ok = false;
          }
        });
      }
      if (ok)
        out.passwordAuth = { enabled: enabled as boolean, identityFields: [...new Set(fields as string[])] };
    }
  }

  const token = given('authToken');
  if (token !== undefined) {
    const duration = isObject(token) ? token.duration : undefined;
    if (
      !isObject(token) ||
      !Number.isInteger(duration) ||
      (duration as number) <= 0 ||
      Object.keys(token).some((k) => k !== 'duration' && k !== 'secret')
    ) {
      add(
        'authToken',
        'INVALID_VALUE',
        '"authToken" must be {"duration": <seconds, a positive whole number>}.',
      );
    } else out.authToken = { duration: duration as number };
  }

  // PocketBase's OTP and MFA settings (docs/decisions/otp-mfa.md).
  // Settings equal to the defaults are not stored, so a schema file that carries them (as every answer
  // does) shows no change against a collection that never set them.
  const otp = given('otp');
  if (otp !== undefined) {
    const value = normalizeOtp(otp, out.otp, add);
    if (value && canonicalJson(value) === canonicalJson(DEFAULT_OTP)) delete out.otp;
    else if (value) out.otp = value;
  }
  const mfa = given('mfa');
  if (mfa !== undefined) {
    const value = normalizeMfa(mfa, out.mfa, add);
    if (value && canonicalJson(value) === canonicalJson(DEFAULT_MFA)) delete out.mfa;
    else if (value) out.mfa = value;
  }

  for (const rule of ['authRule', 'manageRule'] as const) {
    const value = given(rule);
    if (value === undefined) continue;
    if (value !== null && typeof value !== 'string') {
      add(
        rule,
        'INVALID_TYPE',
        `"${rule}" must be null, "" or a filter expression, not ${jsonTypeOf(value)}.`,
      );
    } else out[rule] = value !== null && value.trim() === '' ? '' : value;
  }
  return out;
}
