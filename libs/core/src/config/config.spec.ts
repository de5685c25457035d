import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('gives working defaults for an empty environment', () => {
    const c = loadConfig({});
    expect(c.http.port).toBe(8090);
    expect(c.http.host).toBe('127.0.0.1');
    expect(c.http.publicUrl).toBe('http://localhost:8090');
    expect(c.http.publicUrlExplicit).toBe(false);
    expect(c.http.bodyLimit).toBe(1024 * 1024);
    expect(c.databaseUrl).toBeUndefined();
    expect(c.redis).toEqual({ url: 'redis://127.0.0.1:6379', explicit: false, prefix: 'plinth' });
    expect(c.dataDir).toBe('./.plinth');
    expect(c.workers.mode).toBe('inline');
    expect(c.log).toEqual({ level: 'info', format: 'pretty' });
    expect(c.http.corsOrigins).toBe('*');
  });

  it('treats empty variables as unset and parses the rest', () => {
    const c = loadConfig({
      PORT: '9000',
      HOST: '',
      PUBLIC_URL: 'https://api.example.com/',
      CORS_ORIGINS: 'https://a.example, https://b.example',
      PLINTH_TRUST_PROXY: 'true',
      NODE_ENV: 'production',
      PLINTH_SECRET: 'x'.repeat(40),
      REDIS_URL: 'redis://cache:6379',
    });
    expect(c.http.port).toBe(9000);
    expect(c.http.host).toBe('127.0.0.1');
    expect(c.http.publicUrl).toBe('https://api.example.com');
    expect(c.http.publicUrlExplicit).toBe(true);
    expect(c.http.corsOrigins).toEqual(['https://a.example', 'https://b.example']);
    expect(c.http.trustProxy).toEqual({ hops: 1 });
    expect(c.log.format).toBe('json');
    expect(c.redis.explicit).toBe(true);
  });

  it('lists every bad key in one error, without echoing secrets', () => {
    let error: ConfigError | undefined;
    try {
      loadConfig({
        PORT: '99999',
        PLINTH_WORKERS: 'maybe',
        PLINTH_SECRET: 'short-secret',
        DATABASE_URL: 'mysql://x',
        PLINTH_BODY_LIMIT: '-5',
      });
    } catch (err) {
      error = err as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.problems.map((p) => p.split(' ')[0]).sort()).toEqual(
      ['DATABASE_URL', 'PLINTH_BODY_LIMIT', 'PLINTH_SECRET', 'PLINTH_WORKERS', 'PORT'].sort(),
    );
    expect(error!.message).not.toContain('short-secret');
    expect(error!.message).toContain('5 problems');
  });

  it('requires PLINTH_SECRET in production, reported with the other problems', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', PORT: 'abc' })).toThrow(
      expect.objectContaining({
        problems: [expect.stringMatching(/^PORT/), expect.stringMatching(/^PLINTH_SECRET is required/)],
      }),
    );
  });

  it('refuses a known placeholder PLINTH_SECRET in production, and only there', () => {
    for (const placeholder of [
      'change-me-to-a-long-random-secret-of-32+chars',
      'CHANGE-ME-please-this-is-only-an-example-value',
      'changeme-changeme-changeme-changeme-changeme',
      'replace-me-with-a-long-random-secret-0123456789',
    ]) {
      let error: ConfigError | undefined;
      try {
        loadConfig({ NODE_ENV: 'production', PLINTH_SECRET: placeholder });
      } catch (err) {
        error = err as ConfigError;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect(error!.problems).toEqual([
        expect.stringMatching(/^PLINTH_SECRET is a placeholder.*openssl rand/),
      ]);
      expect(error!.message).not.toContain(placeholder);
      // Outside production a trial may keep the example value.
      expect(loadConfig({ NODE_ENV: 'development', PLINTH_SECRET: placeholder }).secret).toBe(placeholder);
    }
    const real = 'q2V9c1b0X4yJt7m3R8sL5wZ0aK6pE2uN9hG4dF1jT3vB';
    expect(loadConfig({ NODE_ENV: 'production', PLINTH_SECRET: real }).secret).toBe(real);
  });

  it('reads mail settings: no SMTP by default, smtp:// or smtps:// only, the URL never echoed', () => {
    expect(loadConfig({}).mail).toEqual({
      smtpUrl: undefined,
      from: 'Plinth <no-reply@localhost>',
      appName: 'Plinth',
      appNameExplicit: false,
    });
    const c = loadConfig({ SMTP_URL: 'smtps://u:p@mail.example:465', PLINTH_APP_NAME: 'Acme' });
    expect(c.mail).toMatchObject({
      smtpUrl: 'smtps://u:p@mail.example:465',
      appName: 'Acme',
      appNameExplicit: true,
    });
    let error: ConfigError | undefined;
    try {
      loadConfig({ SMTP_URL: 'http://u:hunter2@mail.example', SMTP_FROM: 'nobody' });
    } catch (err) {
      error = err as ConfigError;
    }
    expect(error!.problems.map((p) => p.split(' ')[0]).sort()).toEqual(['SMTP_FROM', 'SMTP_URL']);
    expect(error!.message).not.toContain('hunter2');
  });

  it('reads social sign-in defaults per provider, none by default, secrets never echoed', () => {
    expect(loadConfig({}).oauth2).toEqual({ google: {}, github: {}, oidc: {} });
    const c = loadConfig({
      PLINTH_OAUTH2_GOOGLE_CLIENT_ID: 'g-id',
      PLINTH_OAUTH2_GOOGLE_CLIENT_SECRET: 'g-secret',
      PLINTH_OAUTH2_GITHUB_CLIENT_ID: ' gh-id ',
      PLINTH_OAUTH2_OIDC_CLIENT_SECRET: '',
      PLINTH_OAUTH2_OIDC_ISSUER: 'https://id.example',
    });
    expect(c.oauth2).toEqual({
      google: { clientId: 'g-id', clientSecret: 'g-secret' },
      github: { clientId: 'gh-id' },
      oidc: { issuer: 'https://id.example' },
    });
    let error: ConfigError | undefined;
    try {
      loadConfig({
        PLINTH_OAUTH2_OIDC_ISSUER: 'id.example',
        PLINTH_OAUTH2_GITHUB_CLIENT_SECRET: ' ',
        PLINTH_OAUTH2_GOOGLE_CLIENT_SECRET: 'x'.repeat(1001),
      });
    } catch (err) {
      error = err as ConfigError;
    }
    expect(error!.problems.map((p) => p.split(' ')[0]).sort()).toEqual([
      'PLINTH_OAUTH2_GITHUB_CLIENT_SECRET',
      'PLINTH_OAUTH2_GOOGLE_CLIENT_SECRET',
      'PLINTH_OAUTH2_OIDC_ISSUER',
    ]);
    expect(error!.message).not.toContain('x'.repeat(20));
  });

  it('reads the auth-record cache lifetime in milliseconds: 2000 by default, 0 turns it off', () => {
    expect(loadConfig({}).auth.recordCacheMs).toBe(2000);
    expect(loadConfig({ PLINTH_AUTH_RECORD_CACHE_MS: '0' }).auth.recordCacheMs).toBe(0);
    expect(() => loadConfig({ PLINTH_AUTH_RECORD_CACHE_MS: '-1' })).toThrow(/PLINTH_AUTH_RECORD_CACHE_MS/);
  });
});
