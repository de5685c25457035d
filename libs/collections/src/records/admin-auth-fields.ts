import { AppError } from '@plinth/core';
import type { CompiledCollection } from '../registry/compiled-collection.js';

/**
 * `verified` of an auth record is set by admins (and admin-scoped keys) only, as in PocketBase and
 * the console; for everyone else it stays an unknown field. Returns the body without it and its value.
 */
export function takeAdminVerified(
  c: CompiledCollection,
  body: unknown,
  isAdmin: boolean,
): { body: unknown; verified?: boolean } {
  if (!c.isAuth || !isAdmin || !body || typeof body !== 'object' || Array.isArray(body)) return { body };
  if (!Object.hasOwn(body, 'verified')) return { body };
  const { verified, ...rest } = body as Record<string, unknown>;
  if (typeof verified !== 'boolean') {
    throw new AppError(
      'VALIDATION_FAILED',
      `The record for "${c.def.name}" is invalid: verified must be boolean.`,
      {
        errors: [{ path: 'verified', code: 'INVALID_TYPE', message: 'must be boolean' }],
      },
    );
  }
  return { body: rest, verified };
}
