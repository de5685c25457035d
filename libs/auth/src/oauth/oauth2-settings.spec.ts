import { describe, expect, it } from '@jest/globals';
import { SecretBox } from '@plinth/core';
import {
  isRedirectAllowed,
  missingProviderSettings,
  oauth2SettingsOf,
  providerSettings,
  usableProviderNames,
  withParams,
} from './oauth2-settings.js';

describe('isRedirectAllowed: prefix matching on parsed URLs', () => {
  const list = ['https://app.example/auth', 'https://other.example/', 'myapp://oauth'];

  it.each([
    'https://app.example/auth',
    'https://app.example/auth/',
    'https://app.example/auth/done?next=%2F#frag',
    'https://other.example/anything',
    'https://APP.example/auth',
    'myapp://oauth/callback',
  ])('allows %s', (target) => expect(isRedirectAllowed(target, list)).toBe(true));

  it.each([
    'https://app.example/authority',
    'https://app.example/',
    'https://app.example.evil.test/auth',
    'https://evil.test/https://app.example/auth',
    'http://app.example/auth',
    'https://app.example:8443/auth',
    'https://user@app.example/auth',
    'https://app.example/auth/../admin',
    'https://app.example/auth/%2e%2e/admin',
    '//app.example/auth',
    'javascript:alert(1)//https://app.example/auth',
    'not a url',
    '',
  ])('refuses %s', (target) => expect(isRedirectAllowed(target, list)).toBe(false));

  it('refuses everything with an empty list', () => {
    expect(isRedirectAllowed('https://app.example/auth', [])).toBe(false);
  });
});

describe('provider settings', () => {
  const box = new SecretBox('a-secret-that-is-long-enough-for-the-tests-0123456789');

  it('applies the defaults and opens the sealed client secret', () => {
    expect(oauth2SettingsOf(undefined)).toEqual({ enabled: false, redirectAllowList: [], providers: [] });
    const settings = oauth2SettingsOf({
      oauth2: {
        enabled: true,
        providers: [{ name: 'google', clientId: 'id', clientSecret: box.seal('s3cret') }],
      },
    });
    expect(providerSettings(settings, 'google', box)).toEqual({
      name: 'google',
      clientId: 'id',
      clientSecret: 's3cret',
    });
    expect(providerSettings(settings, 'github', box)).toBeUndefined();
  });

  it('takes what the collection leaves empty from the environment, each value on its own', () => {
    const env = {
      google: { clientId: 'env-g', clientSecret: 'env-g-secret' },
      github: { clientId: 'env-h', clientSecret: 'env-h-secret' },
      oidc: { clientId: 'env-o', issuer: 'https://env.example' },
    };
    const settings = oauth2SettingsOf({
      oauth2: {
        enabled: true,
        providers: [
          { name: 'google' },
          { name: 'github', clientId: 'own-h', clientSecret: '' },
          {
            name: 'oidc',
            clientId: '',
            clientSecret: box.seal('own-o-secret'),
            issuer: 'https://own.example',
          },
        ],
      },
    });
    expect(providerSettings(settings, 'google', box, env)).toEqual({
      name: 'google',
      clientId: 'env-g',
      clientSecret: 'env-g-secret',
    });
    expect(providerSettings(settings, 'github', box, env)).toEqual({
      name: 'github',
      clientId: 'own-h',
      clientSecret: 'env-h-secret',
    });
    expect(providerSettings(settings, 'oidc', box, env)).toEqual({
      name: 'oidc',
      clientId: 'env-o',
      clientSecret: 'own-o-secret',
      issuer: 'https://own.example',
    });
    expect(usableProviderNames(settings, env)).toEqual(['google', 'github', 'oidc']);
  });

  it("sends the environment's client secret only to the environment's or the provider's own URLs", () => {
    const env = {
      google: {
        clientId: 'env-g',
        clientSecret: 'env-g-secret',
        tokenUrl: 'https://tokens.env.example/token',
      },
      oidc: { clientId: 'env-o', clientSecret: 'env-o-secret', issuer: 'https://env.example' },
    };
    const elsewhere = oauth2SettingsOf({
      oauth2: {
        enabled: true,
        providers: [
          { name: 'google', tokenUrl: 'https://listener.example/token' },
          { name: 'oidc', issuer: 'https://listener.example' },
        ],
      },
    });
    for (const name of ['google', 'oidc'] as const) {
      const provider = providerSettings(elsewhere, name, box, env)!;
      expect(provider.clientSecret).toBe('');
      expect(missingProviderSettings(provider)).toEqual([
        `clientSecret (PLINTH_OAUTH2_${name.toUpperCase()}_CLIENT_SECRET is sent only to the URLs of the environment or the provider's own)`,
      ]);
    }
    expect(usableProviderNames(elsewhere, env)).toEqual([]);

    const same = oauth2SettingsOf({
      oauth2: {
        enabled: true,
        providers: [{ name: 'google' }, { name: 'oidc', issuer: 'https://env.example' }],
      },
    });
    expect(providerSettings(same, 'google', box, env)).toEqual({
      name: 'google',
      clientId: 'env-g',
      clientSecret: 'env-g-secret',
      tokenUrl: 'https://tokens.env.example/token',
    });
    expect(providerSettings(same, 'oidc', box, env)?.clientSecret).toBe('env-o-secret');
    expect(usableProviderNames(same, env)).toEqual(['google', 'oidc']);
  });

  it('names what a provider still lacks, and offers only providers that lack nothing', () => {
    const settings = oauth2SettingsOf({
      oauth2: {
        enabled: true,
        providers: [{ name: 'google' }, { name: 'github', clientId: 'h' }, { name: 'oidc' }],
      },
    });
    expect(missingProviderSettings(providerSettings(settings, 'google', box)!)).toEqual([
      'clientId (or PLINTH_OAUTH2_GOOGLE_CLIENT_ID)',
    ]);
    expect(
      missingProviderSettings(providerSettings(settings, 'oidc', box, { oidc: { clientId: 'o' } })!),
    ).toEqual(['issuer (or PLINTH_OAUTH2_OIDC_ISSUER)']);
    expect(usableProviderNames(settings)).toEqual(['github']);
    expect(usableProviderNames(settings, { google: { clientId: 'g' } })).toEqual(['google', 'github']);
    expect(usableProviderNames({ ...settings, enabled: false }, { google: { clientId: 'g' } })).toEqual([]);
  });

  it('adds parameters to the app URL', () => {
    expect(withParams('https://app.example/auth?x=1#f', { code: 'a b' })).toBe(
      'https://app.example/auth?x=1&code=a+b#f',
    );
  });
});
