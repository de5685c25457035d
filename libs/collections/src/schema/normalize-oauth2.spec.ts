import { describe, expect, it } from '@jest/globals';
import { oauth2OptionsIssues } from './normalize-oauth2.js';

const codes = (raw: unknown) => oauth2OptionsIssues(raw).map((i) => [i.path, i.code]);

describe('oauth2OptionsIssues', () => {
  it('accepts the shape of DESIGN §10', () => {
    expect(
      codes({
        enabled: true,
        redirectAllowList: ['https://app.example/auth', 'com.example.app://oauth'],
        providers: [
          {
            name: 'google',
            clientId: 'id',
            clientSecret: 's',
            authUrl: 'https://a.example/auth',
            tokenUrl: 'https://a.example/token',
            userInfoUrl: 'https://a.example/userinfo',
          },
          { name: 'github', clientId: 'id', clientSecret: '' },
          { name: 'oidc', issuer: 'https://id.example', clientId: 'id', clientSecret: 's' },
        ],
      }),
    ).toEqual([]);
    expect(codes(undefined)).toEqual([]);
    expect(codes({})).toEqual([]);
  });

  it('accepts providers without clientId, clientSecret or (oidc) issuer: the environment supplies them', () => {
    expect(
      codes({
        enabled: true,
        providers: [
          { name: 'google' },
          { name: 'github', clientId: '', clientSecret: '' },
          { name: 'oidc', clientId: 'id' },
        ],
      }),
    ).toEqual([]);
    expect(
      codes({
        providers: [
          { name: 'google', clientId: ' ' },
          { name: 'oidc', issuer: '' },
        ],
      }),
    ).toEqual([
      ['options.oauth2.providers.0.clientId', 'REQUIRED'],
      ['options.oauth2.providers.1.issuer', 'INVALID_VALUE'],
    ]);
  });

  it('names the path of each problem', () => {
    expect(codes([])).toEqual([['options.oauth2', 'INVALID_TYPE']]);
    expect(codes({ enabled: 1, other: true, providers: {} })).toEqual([
      ['options.oauth2.other', 'UNKNOWN_KEY'],
      ['options.oauth2.enabled', 'INVALID_TYPE'],
      ['options.oauth2.providers', 'INVALID_TYPE'],
    ]);
    expect(
      codes({
        redirectAllowList: [
          'https://app.example/auth#x',
          'data://x',
          'https://u:p@app.example/',
          'relative/path',
          3,
        ],
      }),
    ).toEqual(
      [0, 1, 2, 3]
        .map((i) => [`options.oauth2.redirectAllowList.${i}`, 'INVALID_VALUE'])
        .concat([['options.oauth2.redirectAllowList.4', 'INVALID_TYPE']]),
    );
    expect(
      codes({
        providers: [
          'google',
          { clientId: 'x' },
          { name: 'google', clientId: '  ', clientSecret: 5 },
          { name: 'oidc', clientId: 'x', issuer: 'not a url' },
          { name: 'google', clientId: 'x', userInfoUrl: 'javascript:alert(1)' },
        ],
      }),
    ).toEqual([
      ['options.oauth2.providers.0', 'INVALID_TYPE'],
      ['options.oauth2.providers.1.name', 'REQUIRED'],
      ['options.oauth2.providers.2.clientId', 'REQUIRED'],
      ['options.oauth2.providers.2.clientSecret', 'INVALID_TYPE'],
      ['options.oauth2.providers.3.issuer', 'INVALID_VALUE'],
      ['options.oauth2.providers.4.name', 'DUPLICATE_VALUE'],
      ['options.oauth2.providers.4.userInfoUrl', 'INVALID_VALUE'],
    ]);
  });
});
