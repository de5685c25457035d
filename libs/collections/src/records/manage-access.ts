import type { Sql } from '@plinth/core';
import { compileRule, FilterError, type FilterContext } from '../filter/index.js';
import type { CompiledCollection } from '../registry/compiled-collection.js';

/** The body keys only admins, or managers under PocketBase's manageRule, may change freely. */
const MANAGED_KEYS = ['password', 'verified', 'email'] as const;

/** Whether this update body touches what manageRule governs (else the rule need not be judged). */
export function touchesManagedFields(c: CompiledCollection, body: unknown): boolean {
  if (!c.isAuth || !body || typeof body !== 'object' || Array.isArray(body)) return false;
  return MANAGED_KEYS.some((k) => Object.hasOwn(body, k));
}

/**
 * PocketBase's manageRule as SQL on the record being changed (alias `t`), with the caller's context;
 * undefined when it grants nothing: no signed-in user, or the rule null or "" (PocketBase: superusers
 * only). Judged in addition to the update rule, never instead of it.
 */
export function manageRuleWhere(c: CompiledCollection, ctx: FilterContext): Sql | undefined {
  const rule = c.def.manageRule;
  if (!c.isAuth || !ctx.auth || ctx.isAdmin || rule === undefined || rule === null || rule.trim() === '')
    return undefined;
  try {
    return compileRule(rule, c.filter, 't', { ...ctx, allowRequestMacros: true, canSeeHidden: true });
  } catch (err) {
    if (!(err instanceof FilterError)) throw err;
    // A rule that no longer compiles (a field it names was removed) grants nothing, as in PocketBase.
    return undefined;
  }
}
