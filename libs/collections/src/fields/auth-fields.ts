/**
 * The fields every auth collection has besides its own (DESIGN §3): email, emailVisibility,
 * verified and the write-only password keys. Their JSON Schemas, filter view and the password
 * checks JSON Schema cannot express live here, as each field type's do in its module.
 */
import type { FilterField } from '../filter/types.js';
import type { JSONSchema } from './json-schema.js';

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 256;
/** RFC 5321's limit for a forward path. */
export const EMAIL_MAX_LENGTH = 254;

/** The keys of auth collections a client may write, per operation. */
export const AUTH_CREATE_KEYS = ['email', 'password', 'passwordConfirm', 'emailVisibility'] as const;
export const AUTH_UPDATE_KEYS = [
  'email',
  'password',
  'passwordConfirm',
  'oldPassword',
  'emailVisibility',
] as const;

const passwordSchema = (description: string): JSONSchema => ({
  type: 'string',
  minLength: PASSWORD_MIN_LENGTH,
  maxLength: PASSWORD_MAX_LENGTH,
  writeOnly: true,
  description,
});

export function authWriteProperties(op: 'create' | 'update'): Record<string, JSONSchema> {
  const props: Record<string, JSONSchema> = {
    email: {
      type: 'string',
      format: 'email',
      maxLength: EMAIL_MAX_LENGTH,
      description: `The user's email address (at most ${EMAIL_MAX_LENGTH} characters).${op === 'create' ? ' Required.' : ''}`,
    },
    password: passwordSchema(
      `${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters.${op === 'create' ? ' Required.' : ' Setting it needs passwordConfirm and oldPassword.'}`,
    ),
    passwordConfirm: passwordSchema('Must equal password.'),
  };
  if (op === 'update') {
    props.oldPassword = {
      type: 'string',
      minLength: 1,
      maxLength: PASSWORD_MAX_LENGTH,
      writeOnly: true,
      description: 'The current password; required to set a new one (except for admins).',
    };
  }
  props.emailVisibility = {
    type: 'boolean',
    description:
      'Whether other users may see the email address.' + (op === 'create' ? ' Default: false.' : ''),
  };
  return props;
}

/** The auth columns in a record answer. */
export function authResponseProperties(): Record<string, JSONSchema> {
  return {
    email: {
      type: 'string',
      format: 'email',
      description:
        "The user's email; absent unless emailVisibility is true or the viewer is the user or an admin.",
    },
    emailVisibility: {
      type: 'boolean',
      description: 'Whether other users may see the email.',
    },
    verified: { type: 'boolean', description: 'Whether the email address has been verified.' },
  };
}

/** Auth columns rules and filters may use; password_hash and token_key are never exposed. */
export const AUTH_FILTER_FIELDS: readonly FilterField[] = [
  { name: 'email', column: 'email', kind: 'text', multiple: false, hidden: false },
  { name: 'emailVisibility', column: 'emailVisibility', kind: 'bool', multiple: false, hidden: false },
  { name: 'verified', column: 'verified', kind: 'bool', multiple: false, hidden: false },
];

/** Keys an auth body may not leave empty, per operation. */
export const authNonEmptyKeys = (op: 'create' | 'update'): string[] =>
  op === 'create' ? ['email', 'password', 'passwordConfirm'] : ['email'];

export interface PasswordProblem {
  key: 'passwordConfirm' | 'oldPassword';
  code: 'REQUIRED' | 'PASSWORDS_DONT_MATCH';
  message: string;
}

/**
 * The password rules of an auth body: passwordConfirm must match, and changing a password needs
 * passwordConfirm and (except for admins) oldPassword. `confirmReported`: passwordConfirm already
 * has an error of its own.
 */
export function passwordProblems(
  op: 'create' | 'update',
  input: Record<string, unknown>,
  confirmReported: boolean,
  isAdmin: boolean,
): PasswordProblem[] {
  const out: PasswordProblem[] = [];
  const mismatch = (): void => {
    out.push({ key: 'passwordConfirm', code: 'PASSWORDS_DONT_MATCH', message: "passwords don't match" });
  };
  const has = (k: string) => Object.hasOwn(input, k);
  if (op === 'create') {
    if (
      typeof input.password === 'string' &&
      typeof input.passwordConfirm === 'string' &&
      !confirmReported &&
      input.password !== input.passwordConfirm
    ) {
      mismatch();
    }
    return out;
  }
  if (has('password') && !has('passwordConfirm')) {
    out.push({ key: 'passwordConfirm', code: 'REQUIRED', message: 'is required to change the password' });
  } else if (
    (has('password') || has('passwordConfirm')) &&
    !confirmReported &&
    input.password !== input.passwordConfirm
  ) {
    mismatch();
  }
  if (has('password') && !has('oldPassword') && !isAdmin) {
    out.push({ key: 'oldPassword', code: 'REQUIRED', message: 'is required to change the password' });
  }
  return out;
}
