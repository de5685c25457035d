import { DEFAULT_MFA, DEFAULT_OTP, type MfaOptions, type OtpOptions } from './collection.types.js';
import { MAX_REDIRECT_ALLOW_LIST, redirectEntryProblem } from './normalize-oauth2.js';
import { jsonTypeOf, type SchemaIssue } from './schema-issue.js';

type Json = Record<string, unknown>;
type Add = (path: string, code: SchemaIssue['code'], message: string) => void;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Bounds of PocketBase's settings, kept so a code stays guessable only by its owner. */
export const OTP_LENGTH = { min: 6, max: 12 } as const;
export const OTP_DURATION = { min: 30, max: 86_400 } as const;
export const MFA_DURATION = { min: 60, max: 86_400 } as const;
const MAX_TEMPLATE = 10_000;

function intIn(value: unknown, bounds: { min: number; max: number }): value is number {
  return Number.isInteger(value) && (value as number) >= bounds.min && (value as number) <= bounds.max;
}

function unknownKeys(value: Json, known: readonly string[], path: string, add: Add): boolean {
  let ok = true;
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      add(`${path}.${key}`, 'UNKNOWN_KEY', `Unknown key "${key}"; ${path} has ${known.join(', ')}.`);
      ok = false;
    }
  }
  return ok;
}

/**
 * `otp` of an auth collection (PocketBase's `{enabled, duration, length, emailTemplate}` plus Plinth's
 * `linkAllowList` for magic links). Keys left out keep the stored value; undefined when invalid.
 */
export function normalizeOtp(raw: unknown, stored: OtpOptions | undefined, add: Add): OtpOptions | undefined {
  if (!isObject(raw)) {
    add('otp', 'INVALID_TYPE', `"otp" must be an object, not ${jsonTypeOf(raw)}.`);
    return undefined;
  }
  const base = { ...DEFAULT_OTP, ...stored };
  const out: OtpOptions = { ...base, ...(raw as Partial<OtpOptions>) };
  let ok = unknownKeys(raw, ['enabled', 'duration', 'length', 'emailTemplate', 'linkAllowList'], 'otp', add);
  if (typeof out.enabled !== 'boolean') {
    add('otp.enabled', 'INVALID_TYPE', '"enabled" must be true or false.');
    ok = false;
  }
  if (!intIn(out.duration, OTP_DURATION)) {
    add(
      'otp.duration',
      'OUT_OF_RANGE',
      `"duration" is the seconds a code lives: a whole number from ${OTP_DURATION.min} to ${OTP_DURATION.max}.`,
    );
    ok = false;
  }
  if (!intIn(out.length, OTP_LENGTH)) {
    add(
      'otp.length',
      'OUT_OF_RANGE',
      `"length" is the digits of a code: a whole number from ${OTP_LENGTH.min} to ${OTP_LENGTH.max}.`,
    );
    ok = false;
  }
  const template = out.emailTemplate as unknown;
  if (
    !isObject(template) ||
    typeof template.subject !== 'string' ||
    typeof template.body !== 'string' ||
    template.subject.length > 500 ||
    template.body.length > MAX_TEMPLATE
  ) {
    add(
      'otp.emailTemplate',
      'INVALID_VALUE',
      '"emailTemplate" must be {"subject": text, "body": text} (both empty for Plinth\'s wording); {OTP} and {APP_NAME} are filled in.',
    );
    ok = false;
  } else {
    out.emailTemplate = { subject: template.subject, body: template.body };
  }
  const allow = out.linkAllowList as unknown;
  if (!Array.isArray(allow) || allow.length > MAX_REDIRECT_ALLOW_LIST) {
    add(
      'otp.linkAllowList',
      'INVALID_TYPE',
      `"linkAllowList" must be an array of at most ${MAX_REDIRECT_ALLOW_LIST} app URLs a magic link may open.`,
    );
    ok = false;
  } else {
    out.linkAllowList = [...(allow as string[])];
    allow.forEach((entry: unknown, i) => {
      const problem = typeof entry === 'string' ? redirectEntryProblem(entry) : 'must be a URL string';
      if (problem) {
        add(`otp.linkAllowList.${i}`, 'INVALID_VALUE', problem);
        ok = false;
      }
    });
  }
  return ok ? out : undefined;
}

/** `mfa` of an auth collection (PocketBase's `{enabled, duration, rule}`); keys left out keep the stored value. */
export function normalizeMfa(raw: unknown, stored: MfaOptions | undefined, add: Add): MfaOptions | undefined {
  if (!isObject(raw)) {
    add('mfa', 'INVALID_TYPE', `"mfa" must be an object, not ${jsonTypeOf(raw)}.`);
    return undefined;
  }
  const out: MfaOptions = { ...DEFAULT_MFA, ...stored, ...(raw as Partial<MfaOptions>) };
  let ok = unknownKeys(raw, ['enabled', 'duration', 'rule'], 'mfa', add);
  if (typeof out.enabled !== 'boolean') {
    add('mfa.enabled', 'INVALID_TYPE', '"enabled" must be true or false.');
    ok = false;
  }
  if (!intIn(out.duration, MFA_DURATION)) {
    add(
      'mfa.duration',
      'OUT_OF_RANGE',
      `"duration" is the seconds between the first and the second factor: a whole number from ${MFA_DURATION.min} to ${MFA_DURATION.max}.`,
    );
    ok = false;
  }
  if ((out.rule as unknown) === null) out.rule = '';
  if (typeof out.rule !== 'string' || out.rule.length > 4096) {
    add('mfa.rule', 'INVALID_TYPE', '"rule" must be "" (every account) or a rule over the account.');
    ok = false;
  }
  return ok ? out : undefined;
}
