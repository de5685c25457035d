import { describe, expect, it } from '@jest/globals';
import { SecretBox } from '@plinth/core';
import { isRedirectAllowed, oauth2SettingsOf, providerSettings, withParams } from './oauth2-settings.js';

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

  it('adds parameters to the app URL', () => {
    expect(withParams('https://app.example/auth?x=1#f', { code: 'a b' })).toBe(
      'https://app.example/auth?x=1&code=a+b#f',
    );
  });
});
