/**
 * Who is calling. Resolved once per request from the Authorization header by the auth lib;
 * services decide with it (admins and admin-scoped keys bypass rules).
 */
export type Principal =
  | { kind: 'anonymous' }
  | { kind: 'admin'; id: string; email: string }
  | { kind: 'key'; id: string; name: string; scopes: ReadonlySet<string> }
  | {
      kind: 'user';
      id: string;
      collectionId: string;
      collectionName: string;
      /** The auth record's fields (without password hash and token key), for @request.auth.*. */
      record: Record<string, unknown>;
      /** The sign-in session (refresh-token family) the access token came from, when it has one. */
      session?: string;
    };

export const ANONYMOUS: Principal = { kind: 'anonymous' };

/** Admins and keys with the `admin` scope see and do everything, rules aside. */
export function isAdminLike(p: Principal): boolean {
  return p.kind === 'admin' || (p.kind === 'key' && p.scopes.has('admin'));
}

/** Whether a key may read or write a collection (`posts:read`, `posts:write`, or `admin`). */
export function keyAllows(p: Principal, collection: string, access: 'read' | 'write'): boolean {
  if (p.kind !== 'key') return false;
  return (
    p.scopes.has('admin') ||
    p.scopes.has(`${collection}:${access}`) ||
    (access === 'read' && p.scopes.has(`${collection}:write`))
  );
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}
