import { describe, expect, it } from '@jest/globals';
import { githubIdentity, googleIdentity, oidcIdentity } from './provider-identity.js';

describe('githubIdentity: the primary email, verified only when GitHub says so', () => {
  const user = { id: 583231, login: 'octocat', email: 'public@example.com' };

  it('takes the primary address and its verified flag from /user/emails (raw or as passport maps it)', () => {
    expect(
      githubIdentity(user, [
        { email: 'old@example.com', primary: false, verified: true },
        { email: 'octocat@example.com', primary: true, verified: true },
      ]),
    ).toEqual({ id: '583231', email: 'octocat@example.com', emailVerified: true });
    // passport-github2 with allRawEmails renames `email` to `value`.
    expect(githubIdentity(user, [{ value: 'octocat@example.com', primary: true, verified: true }])).toEqual({
      id: '583231',
      email: 'octocat@example.com',
      emailVerified: true,
    });
  });

  it('does not borrow verification from another address when the primary one is unverified', () => {
    expect(
      githubIdentity(user, [
        { email: 'verified-other@example.com', primary: false, verified: true },
        { email: 'octocat@example.com', primary: true, verified: false },
      ]),
    ).toEqual({ id: '583231', email: 'octocat@example.com', emailVerified: false });
    expect(
      githubIdentity(user, [{ email: 'octocat@example.com', primary: true, verified: 'true' }]),
    ).toMatchObject({
      emailVerified: false,
    });
  });

  it('falls back to the public profile email, unverified, without a primary address', () => {
    expect(githubIdentity(user, undefined)).toEqual({
      id: '583231',
      email: 'public@example.com',
      emailVerified: false,
    });
    expect(githubIdentity(user, [{ email: 'x@example.com', primary: false, verified: true }])).toEqual({
      id: '583231',
      email: 'public@example.com',
      emailVerified: false,
    });
    expect(githubIdentity({ id: 1, email: null }, [])).toEqual({
      id: '1',
      email: null,
      emailVerified: false,
    });
  });

  it('needs an id', () => {
    expect(githubIdentity({ login: 'x' }, [])).toBeNull();
    expect(githubIdentity(null, [])).toBeNull();
  });
});

describe('googleIdentity', () => {
  it('reads sub, email and email_verified (boolean or "true")', () => {
    expect(googleIdentity({ sub: '1', email: 'a@example.com', email_verified: true })).toEqual({
      id: '1',
      email: 'a@example.com',
      emailVerified: true,
    });
    expect(googleIdentity({ sub: '1', email: 'a@example.com', email_verified: 'true' })?.emailVerified).toBe(
      true,
    );
    expect(googleIdentity({ sub: '1', email: 'a@example.com', email_verified: 'false' })?.emailVerified).toBe(
      false,
    );
    expect(googleIdentity({ sub: '1', email: 'a@example.com' })?.emailVerified).toBe(false);
    expect(googleIdentity({ sub: '1', email_verified: true })).toEqual({
      id: '1',
      email: null,
      emailVerified: false,
    });
    expect(googleIdentity({ email: 'a@example.com' })).toBeNull();
  });
});

describe('oidcIdentity', () => {
  it('uses the ID token, completed by userinfo of the same subject only', () => {
    const claims = { sub: 's1', email: 'id@example.com', email_verified: true };
    expect(oidcIdentity(claims)).toEqual({ id: 's1', email: 'id@example.com', emailVerified: true });
    expect(oidcIdentity(claims, { sub: 's1' })).toEqual({
      id: 's1',
      email: 'id@example.com',
      emailVerified: true,
    });
    expect(oidcIdentity({ sub: 's1' }, { sub: 's1', email: 'ui@example.com', email_verified: true })).toEqual(
      {
        id: 's1',
        email: 'ui@example.com',
        emailVerified: true,
      },
    );
    expect(
      oidcIdentity({ sub: 's1' }, { sub: 'other', email: 'ui@example.com', email_verified: true }),
    ).toEqual({
      id: 's1',
      email: null,
      emailVerified: false,
    });
  });
});
