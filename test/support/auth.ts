import { AdminsService, TokensService, fingerprint } from '@plinth/auth';
import { CollectionsRegistry } from '@plinth/collections';
import type { TestApp } from './start-app.js';

export const ADMIN_EMAIL = 'admin@example.com';
export const ADMIN_PASSWORD = 'correct horse battery staple';

/** Creates an admin (once per app database) and signs in over HTTP; returns its token. */
export async function adminToken(t: TestApp, email = ADMIN_EMAIL): Promise<string> {
  await t.app
    .get(AdminsService)
    .create(email, ADMIN_PASSWORD)
    .catch(() => undefined);
  const res = await t.fetch('/api/admins/auth-with-password', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ identity: email, password: ADMIN_PASSWORD }),
  });
  if (res.status !== 200) throw new Error(`admin sign-in failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

/**
 * Mints an access token for a record of an auth collection, as auth-with-password will (issue 5):
 * the test helper the Collections issue asks for to exercise `@request.auth`.
 */
export async function userToken(t: TestApp, collection: string, recordId: string): Promise<string> {
  const c = t.app.get(CollectionsRegistry).get(collection);
  const pool = (
    t.app.get((await import('typeorm')).DataSource).driver as unknown as { master: import('pg').Pool }
  ).master;
  const { rows } = await pool.query(`SELECT token_key FROM "data"."${c.def.name}" WHERE id = $1`, [recordId]);
  if (!rows[0]) throw new Error(`no record ${recordId} in ${collection}`);
  return t.app
    .get(TokensService)
    .sign({ typ: 'auth', sub: recordId, col: c.def.id, tk: fingerprint(rows[0].token_key) });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are JSON of many shapes; tests assert them
export type ApiAnswer = { status: number; body: any; headers: Headers };

/** JSON request helper: `api(t, token)('POST', '/api/...', body)` → { status, body }. */
export function api(t: TestApp, token?: string) {
  return async (method: string, path: string, body?: unknown): Promise<ApiAnswer> => {
    const res = await t.fetch(path, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
  };
}

/** multipart/form-data request helper: `apiForm(t, token)('POST', '/api/...', formData)` → { status, body }. */
export function apiForm(t: TestApp, token?: string) {
  return async (method: string, path: string, data: FormData): Promise<ApiAnswer> => {
    const res = await t.fetch(path, {
      method,
      headers: token ? { authorization: `Bearer ${token}` } : {},
      body: data,
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
  };
}

/** `POST /api/collections/{collection}/auth-with-password`: the answer as it is (tests assert it). */
export function signIn(
  t: TestApp,
  identity: string,
  password: string,
  collection = 'users',
): Promise<ApiAnswer> {
  return api(t)('POST', `/api/collections/${collection}/auth-with-password`, { identity, password });
}

/** `POST /api/admins/auth-with-password`: the answer as it is. */
export function adminSignIn(t: TestApp, identity: string, password: string): Promise<ApiAnswer> {
  return api(t)('POST', '/api/admins/auth-with-password', { identity, password });
}

/** Signs up an app user over HTTP as anyone would (the answer must be 200); returns its id and email. */
export async function signUp(
  t: TestApp,
  email: string,
  password: string,
  collection = 'users',
): Promise<{ id: string; email: string }> {
  const res = await api(t)('POST', `/api/collections/${collection}/records`, {
    email,
    password,
    passwordConfirm: password,
  });
  if (res.status !== 200) throw new Error(`sign-up failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.id, email };
}
