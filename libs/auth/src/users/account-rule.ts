import {
  type CollectionsRegistry,
  compileRule,
  type CompiledCollection,
  FALSE,
  type RequestInfo,
} from '@plinth/collections';
import type { Sql } from '@plinth/core';
import type { AccountRow } from './user-accounts.repository.js';

/** The account as `@request.auth` of its own collection's rules: stored values, no secrets. */
function authContextOf(c: CompiledCollection, account: AccountRow): Record<string, unknown> {
  const { password_hash: _hash, token_key: _key, ...fields } = account;
  return { ...fields, collectionId: c.def.id, collectionName: c.def.name };
}

/**
 * An account rule of the collection (authRule, mfa.rule) compiled over alias `t`, with the account
 * that proved itself as `@request.auth`; `null` matches nobody.
 */
export function accountRuleWhere(
  registry: CollectionsRegistry,
  c: CompiledCollection,
  account: AccountRow,
  rule: string | null,
  request?: RequestInfo,
): Sql {
  if (rule === null) return FALSE;
  return compileRule(rule, c.filter, 't', {
    schema: registry.filterSchema,
    now: new Date(),
    auth: authContextOf(c, account),
    body: {},
    isAdmin: false,
    canSeeHidden: true,
    allowRequestMacros: true,
    ...(request ? { request } : {}),
  });
}
