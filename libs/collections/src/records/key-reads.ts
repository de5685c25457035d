import { isAdminLike, keyAllows, type Principal } from '@plinth/core';
import type { FilterContext } from '../filter/index.js';

/**
 * A scoped key bypasses rules but reads only the collections its scopes name: its filters see related
 * records (and auth records' emails) only there (DESIGN §10). Nothing to add for everyone else.
 */
export function keyReads(principal: Principal): Pick<FilterContext, 'mayRead'> {
  if (principal.kind !== 'key' || isAdminLike(principal)) return {};
  return { mayRead: (name) => keyAllows(principal, name, 'read') };
}
