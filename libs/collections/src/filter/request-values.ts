import type { FilterContext } from './types.js';

/** The `@request.*` scopes PocketBase knows; `method` and `context` take no further name. */
export const REQUEST_SCOPES = ['auth', 'body', 'query', 'headers', 'method', 'context'] as const;
export type RequestScope = (typeof REQUEST_SCOPES)[number];

export function isRequestScope(scope: string | undefined): scope is RequestScope {
  return (REQUEST_SCOPES as readonly string[]).includes(scope ?? '');
}

/** Whether `scope` is read by name (`@request.query.page`) or whole (`@request.method`). */
export function scopeTakesName(scope: RequestScope): boolean {
  return scope !== 'method' && scope !== 'context';
}

/**
 * The value of `@request.<scope>[.name]` and whether the request carries it (`:isset`). Anonymous
 * callers read `''` for every auth field (so `@request.auth.id != ''` is false), as PocketBase.
 */
export function requestValue(
  ctx: FilterContext,
  scope: RequestScope,
  name: string | undefined,
): { value: unknown; isset: boolean } {
  switch (scope) {
    case 'auth': {
      if (ctx.auth === null) return { value: '', isset: false };
      return own(ctx.auth, name!);
    }
    case 'body':
      return own(ctx.body, name!);
    case 'query':
      return own(ctx.request?.query, name!);
    case 'headers':
      return own(ctx.request?.headers, name!);
    case 'method': {
      const method = ctx.request?.method;
      return { value: method ?? '', isset: method !== undefined };
    }
    case 'context':
      return { value: ctx.request?.context ?? 'default', isset: true };
  }
}

function own(source: Readonly<Record<string, unknown>> | undefined, name: string) {
  if (!source || !Object.hasOwn(source, name)) return { value: null, isset: false };
  return { value: source[name] ?? null, isset: true };
}

/** PocketBase's toSlice: null → [], a scalar → [it], an array as it is. */
export function asItems(value: unknown): unknown[] {
  if (value === null || value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
