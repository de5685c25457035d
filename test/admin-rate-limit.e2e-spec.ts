import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AdminsService } from '@plinth/auth';
import { ADMIN_PASSWORD, adminSignIn } from './support/auth.js';
import { startIsolatedApp } from './support/start-app.js';

describe('admin sign-in is rate-limited like app users', () => {
  let t: Awaited<ReturnType<typeof startIsolatedApp>>;
  beforeAll(async () => {
    t = await startIsolatedApp({ env: { PLINTH_AUTH_MAX_FAILURES: '2', PLINTH_AUTH_RATE_PER_IP: '1000' } });
    await t.app.get(AdminsService).create('root@example.com', ADMIN_PASSWORD);
    await t.app.get(AdminsService).create('other@example.com', ADMIN_PASSWORD);
  });
  afterAll(async () => {
    await t?.stop();
  });

  const signIn = (identity: string, password: string) => adminSignIn(t, identity, password);

  it('locks an admin account after too many failures, even for the right password, and not others', async () => {
    expect((await signIn('root@example.com', 'wrong')).status).toBe(400);
    expect((await signIn('ROOT@example.com', 'wrong')).status).toBe(400);
    const locked = await signIn('root@example.com', ADMIN_PASSWORD);
    expect(locked.status).toBe(429);
    expect(locked.body.code).toBe('TOO_MANY_REQUESTS');
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await signIn('other@example.com', ADMIN_PASSWORD)).status).toBe(200);
  });

  it('clears the count after a successful sign-in', async () => {
    expect((await signIn('other@example.com', 'wrong')).status).toBe(400);
    expect((await signIn('other@example.com', ADMIN_PASSWORD)).status).toBe(200);
    expect((await signIn('other@example.com', 'wrong')).status).toBe(400);
    expect((await signIn('other@example.com', ADMIN_PASSWORD)).status).toBe(200);
  });
});
