import { describe, expect, it } from '@jest/globals';
import { SecretBox } from '@plinth/core';
import type { CollectionDef } from '../schema/collection.types.js';
import { blankOptionSecrets, sealOptionSecrets } from './option-secrets.js';

const box = new SecretBox('a-secret-that-is-long-enough-for-the-tests-0123456789');
const def = (providers: unknown[]): CollectionDef => ({
  id: 'c1',
  name: 'users',
  type: 'auth',
  fields: [],
  indexes: [],
  listRule: null,
  viewRule: null,
  createRule: null,
  updateRule: null,
  deleteRule: null,
  oauth2: { enabled: true, providers },
});
const secretsOf = (d: CollectionDef) =>
  (d.oauth2 as { providers: Array<{ clientSecret?: string }> }).providers.map((p) => p.clientSecret);

describe('sealOptionSecrets / blankOptionSecrets', () => {
  it('seals new secrets, keeps stored ones for "" or absent, and drops those of removed providers', () => {
    const stored = sealOptionSecrets(
      def([
        { name: 'google', clientId: 'g', clientSecret: 'g-secret' },
        { name: 'github', clientId: 'h', clientSecret: 'h-secret' },
      ]),
      null,
      { oauth2: {} },
      box,
    );
    const [g, h] = secretsOf(stored);
    expect(box.open(g!)).toBe('g-secret');
    expect(box.open(h!)).toBe('h-secret');

    const next = def([
      { name: 'github', clientId: 'h', clientSecret: '' },
      { name: 'google', clientId: 'g' },
      { name: 'oidc', clientId: 'o', clientSecret: '', issuer: 'https://id.example' },
    ]);
    const after = sealOptionSecrets(next, stored, { oauth2: {} }, box);
    expect(secretsOf(after)).toEqual([h, g, undefined]);
    // The input itself is not changed.
    expect(secretsOf(next)).toEqual(['', undefined, '']);
  });

  it('keeps no stored secret for a provider whose URLs or issuer changed: it must be given again', () => {
    const stored = sealOptionSecrets(
      def([
        {
          name: 'google',
          clientId: 'g',
          clientSecret: 'g-secret',
          tokenUrl: 'https://oauth2.googleapis.com/token',
        },
        { name: 'oidc', clientId: 'o', clientSecret: 'o-secret', issuer: 'https://id.example' },
      ]),
      null,
      { oauth2: {} },
      box,
    );
    const moved = def([
      { name: 'google', clientId: 'g', clientSecret: '', tokenUrl: 'https://evil.example/token' },
      { name: 'oidc', clientId: 'o', issuer: 'https://evil.example' },
    ]);
    let error: unknown;
    try {
      sealOptionSecrets(moved, stored, { oauth2: {} }, box);
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({
      code: 'VALIDATION_FAILED',
      extra: {
        errors: [
          { path: 'oauth2.providers.0.clientSecret', code: 'REQUIRED' },
          { path: 'oauth2.providers.1.clientSecret', code: 'REQUIRED' },
        ],
      },
    });
    expect((error as Error).message).toMatch(/again/);
    // A body in the former shape (`options.oauth2`) has its errors named there.
    expect(() => sealOptionSecrets(moved, stored, { options: { oauth2: {} } }, box)).toThrow(
      expect.objectContaining({
        extra: expect.objectContaining({
          errors: expect.arrayContaining([
            expect.objectContaining({ path: 'options.oauth2.providers.0.clientSecret' }),
          ]),
        }),
      }),
    );
    // Given again, the new endpoints are saved with the new secrets.
    const given = def([
      { name: 'google', clientId: 'g', clientSecret: 'g-2', tokenUrl: 'https://evil.example/token' },
      { name: 'oidc', clientId: 'o', clientSecret: 'o-2', issuer: 'https://evil.example' },
    ]);
    expect(secretsOf(sealOptionSecrets(given, stored, { oauth2: {} }, box)).map((x) => box.open(x!))).toEqual(
      ['g-2', 'o-2'],
    );
  });

  it('leaves carried-over options alone when the body has none', () => {
    const stored = def([{ name: 'google', clientId: 'g', clientSecret: box.seal('x') }]);
    expect(sealOptionSecrets(stored, stored, { listRule: '' }, box)).toBe(stored);
  });

  it('blanks every provider secret in answers', () => {
    const stored = def([
      { name: 'google', clientId: 'g', clientSecret: box.seal('x') },
      { name: 'github', clientId: 'h' },
    ]);
    expect(secretsOf(blankOptionSecrets(stored))).toEqual(['', '']);
    expect(secretsOf(stored)[0]).toMatch(/^enc:v1:/);
  });
});
