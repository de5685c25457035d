import { newTokenKey, verifyPassword, type FieldProblem } from '@plinth/core';
import type { ColumnCast, CompiledCollection } from '../../registry/compiled-collection.js';
import { isMultiple } from '../../schema/collection.types.js';
import type { Row } from '../record-sql.js';

export type Values = Map<string, { value: unknown; cast: ColumnCast }>;

/**
 * The columns an update sets, from the validated changes and the stored row: list modifiers applied
 * (`tags+`, `+tags`, `tags-`), and for auth records the email, password and verified, which only
 * admins and managers (`manages`) change freely. Problems are answered together as one 400.
 */
export async function updateValues(
  c: CompiledCollection,
  current: Row,
  value: Record<string, unknown>,
  opts: { manages: boolean; verified?: boolean; hash: (password: string) => Promise<string> },
): Promise<{ values: Values; problems: FieldProblem[] }> {
  const { manages, verified, hash } = opts;
  const values: Values = new Map();
  const problems: FieldProblem[] = [];
  for (const col of c.fieldColumns) {
    const field = col.field!;
    let next: unknown = col.name in value ? value[col.name] : undefined;
    const add = value[`${col.name}+`];
    const prepend = value[`+${col.name}`];
    const remove = value[`${col.name}-`];
    if (isMultiple(field) && (add !== undefined || prepend !== undefined || remove !== undefined)) {
      const list = (v: unknown) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
      const base = (next as unknown[] | undefined) ?? (current[col.name] as unknown[] | null) ?? [];
      const minus = new Set(list(remove));
      next = [...new Set([...list(prepend), ...base, ...list(add)])].filter((v) => !minus.has(v));
      if ((next as unknown[]).length > (field.maxSelect ?? 1)) {
        problems.push({
          path: col.name,
          code: 'TOO_MANY_ITEMS',
          message: `must have at most ${field.maxSelect} items`,
        });
      }
      if (field.required && (next as unknown[]).length === 0) {
        problems.push({ path: col.name, code: 'REQUIRED', message: 'must not be empty' });
      }
    }
    if (next !== undefined) values.set(col.name, { value: next, cast: col.cast });
  }
  if (c.isAuth) {
    if (
      value.email !== undefined &&
      String(value.email).toLowerCase() !== String(current.email).toLowerCase()
    ) {
      if (!manages) {
        // The address must be proven: request-email-change mails a link to the new one.
        problems.push({
          path: 'email',
          code: 'EMAIL_CHANGE_REQUIRES_CONFIRMATION',
          message: 'cannot be changed here; use request-email-change, which confirms the new address',
        });
      } else {
        // An admin's (or manager's) change is not a proof of the new mailbox, and ends the account's sessions.
        values.set('email', { value: value.email, cast: 'text' });
        values.set('verified', { value: false, cast: 'boolean' });
        values.set('token_key', { value: newTokenKey(), cast: 'text' });
      }
    }
    if (value.emailVisibility !== undefined)
      values.set('emailVisibility', { value: value.emailVisibility, cast: 'boolean' });
    if (verified !== undefined) values.set('verified', { value: verified, cast: 'boolean' });
    if (value.password !== undefined) {
      if (
        !manages &&
        !(await verifyPassword(String(current.password_hash), String(value.oldPassword ?? '')))
      ) {
        problems.push({
          path: 'oldPassword',
          code: 'INVALID_VALUE',
          message: 'is not the current password',
        });
      }
      values.set('password_hash', {
        value: await hash(String(value.password)),
        cast: 'text',
      });
      // A new token key signs every session of this account out.
      values.set('token_key', { value: newTokenKey(), cast: 'text' });
    }
  }
  return { values, problems };
}
