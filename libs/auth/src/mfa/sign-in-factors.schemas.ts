import { bool, dateTime, objectSchema, str } from '@plinth/core';

/** An mfaId from a 401 MFA_REQUIRED answer: PocketBase's SDK sends it as a query parameter, others in the body. */
export const mfaId = {
  type: 'string',
  minLength: 1,
  maxLength: 100,
  description: 'The mfaId of a 401 MFA_REQUIRED answer, when this is the second factor.',
};

export const requestOtpSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['email'],
  properties: {
    email: { type: 'string', format: 'email', maxLength: 254 },
    redirect: {
      type: 'string',
      maxLength: 2000,
      description:
        "Magic link: mail a link to this app URL (allow-listed in the collection's otp.linkAllowList) carrying ?otpId=&code= instead of digits.",
    },
  },
};

export const authWithOtpSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['otpId', 'password'],
  properties: {
    otpId: { type: 'string', minLength: 1, maxLength: 100 },
    password: {
      type: 'string',
      minLength: 1,
      maxLength: 200,
      description: "The mailed code (PocketBase's name), or a magic link's code.",
    },
    mfaId,
  },
};

export const totpCodeSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['code'],
  properties: {
    code: {
      type: 'string',
      minLength: 1,
      maxLength: 40,
      description: 'The 6-digit code of the authenticator app, or (to remove it) an unused recovery code.',
    },
  },
};

export const authWithTotpSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['mfaId', 'code'],
  properties: {
    mfaId: { ...mfaId, description: 'The mfaId of the 401 MFA_REQUIRED answer to the first factor.' },
    code: totpCodeSchema.properties.code,
  },
};

export const otpResponseSchema = objectSchema(
  { otpId: { ...str, description: 'Send it with the mailed code to auth-with-otp.' } },
  { description: 'The same answer whether or not the email has an account.' },
);

export const totpEnrollmentSchema = objectSchema(
  {
    secret: { ...str, description: 'Base32, for typing into an authenticator app.' },
    uri: { ...str, description: 'otpauth://totp/… for a QR code.' },
  },
  { description: 'A new authenticator; confirm it with its first code.' },
);

export const recoveryCodesSchema = objectSchema(
  {
    recoveryCodes: {
      type: 'array',
      items: str,
      description: 'Shown this once; each signs in once in place of an authenticator code.',
    },
  },
  { description: 'The authenticator is confirmed.' },
);

export const totpStatusSchema = objectSchema(
  {
    enrolled: bool,
    confirmed: bool,
    confirmedAt: { ...dateTime, type: ['string', 'null'] },
    recoveryCodesLeft: { type: 'integer' },
  },
  { description: "An account's authenticator." },
);

/** PocketBase's SDK sends options it does not know (mfaId) as query parameters; others send it in the body. */
export function mfaIdOf(body: { mfaId?: string }, query: unknown): string | undefined {
  if (body.mfaId) return body.mfaId;
  return typeof query === 'string' && query !== '' ? query.slice(0, 101) : undefined;
}
