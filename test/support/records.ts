import { api, userToken, type ApiAnswer } from './auth.js';
import type { TestApp } from './start-app.js';

/** Throws with the answer when it is not the expected status (setup steps, not assertions). */
export function ok(res: ApiAnswer, status = 200): ApiAnswer {
  if (res.status !== status) {
    throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
  }
  return res;
}

/** Creates a collection as admin; returns its definition. */
export async function createCollection(
  t: TestApp,
  admin: string,
  def: Record<string, unknown>,
): Promise<Record<string, unknown> & { id: string; name: string }> {
  return ok(await api(t, admin)('POST', '/api/collections', def)).body;
}

export interface TestUser {
  id: string;
  email: string;
  token: string;
}

/** Signs up an app user in the default `users` collection (as anyone) and mints its token. */
export async function createUser(t: TestApp, name: string): Promise<TestUser> {
  const email = `${name.toLowerCase().replace(/[^a-z0-9]/g, '')}-${Math.random().toString(36).slice(2, 8)}@example.com`;
  const res = ok(
    await api(t)('POST', '/api/collections/users/records', {
      email,
      password: 'password-123456',
      passwordConfirm: 'password-123456',
      name,
    }),
  );
  return { id: res.body.id, email, token: await userToken(t, 'users', res.body.id) };
}

/** Creates an API key with these scopes as admin; returns the key itself. */
export async function createKey(t: TestApp, admin: string, scopes: string[]): Promise<string> {
  return ok(await api(t, admin)('POST', '/api/keys', { name: `key ${scopes.join(' ')}`, scopes })).body.key;
}

/** Creates a record and returns it (the answer must be 200). */
export async function createRecord(
  t: TestApp,
  token: string | undefined,
  collection: string,
  body: Record<string, unknown>,
): Promise<Record<string, unknown> & { id: string }> {
  return ok(await api(t, token)('POST', `/api/collections/${collection}/records`, body)).body;
}

/** `GET /api/collections/{c}/records?…` with the query built from `params`. */
export async function listRecords(
  t: TestApp,
  token: string | undefined,
  collection: string,
  params: Record<string, string> = {},
): Promise<ApiAnswer> {
  const qs = new URLSearchParams(params).toString();
  return api(t, token)('GET', `/api/collections/${collection}/records${qs ? `?${qs}` : ''}`);
}

/** The ids of a list answer's items, in order. */
export function ids(res: ApiAnswer): string[] {
  if (res.status !== 200) throw new Error(`list failed: ${res.status} ${JSON.stringify(res.body)}`);
  return (res.body.items as Array<{ id: string }>).map((i) => i.id);
}
