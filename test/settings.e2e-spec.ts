import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '@plinth/testing';
import { Injectable, Module, OnModuleInit } from '@nestjs/common';
import { SettingsModule, SettingsService } from '@plinth/core';
import { adminToken, api } from './support/auth.js';
import { expectApiProblem } from './support/problem.js';
import { startApp, startIsolatedApp, type TestApp } from './support/start-app.js';

@Injectable()
class DemoSettings implements OnModuleInit {
  constructor(private readonly settings: SettingsService) {}
  onModuleInit() {
    this.settings.register({
      key: 'demo',
      defaults: { host: 'localhost', port: 25, password: '' },
      secrets: ['password'],
      schema: {
        type: 'object',
        additionalProperties: false,
        properties: {
          host: { type: 'string', minLength: 1 },
          port: { type: 'integer', minimum: 1, maximum: 65535 },
          password: { type: 'string' },
        },
      },
    });
  }
}

@Module({ imports: [SettingsModule], providers: [DemoSettings] })
class DemoSettingsModule {}

describe('GET/PATCH /api/settings', () => {
  let t: Awaited<ReturnType<typeof startIsolatedApp>>;
  let b: TestApp;
  let admin: ReturnType<typeof api>;

  beforeAll(async () => {
    t = await startIsolatedApp({ imports: [DemoSettingsModule] });
    b = await startApp({ databaseUrl: t.db.url, redisPrefix: t.redisPrefix, imports: [DemoSettingsModule] });
    admin = api(t, await adminToken(t));
  });
  afterAll(async () => {
    await b?.close();
    await t?.stop();
  });

  it('is for admins only', async () => {
    expectApiProblem(await api(t)('GET', '/api/settings'), 401, 'UNAUTHORIZED');
  });

  it('answers defaults, keeps secrets write-only and sealed at rest', async () => {
    expect((await admin('GET', '/api/settings')).body.demo).toEqual({
      host: 'localhost',
      port: 25,
      password: '',
    });
    const res = await admin('PATCH', '/api/settings', { demo: { host: 'smtp.example', password: 's3cret' } });
    expect(res.status).toBe(200);
    expect(res.body.demo).toEqual({ host: 'smtp.example', port: 25, password: '' });
    const settings = t.app.get(SettingsService);
    expect((await settings.get('demo')).password).toBe('s3cret');
    const { rows } = await t.db.query(`SELECT value FROM plinth.setting WHERE key = 'demo'`);
    expect(JSON.stringify(rows[0].value)).not.toContain('s3cret');
    // "" keeps the stored secret
    await admin('PATCH', '/api/settings', { demo: { port: 2525, password: '' } });
    expect(await settings.get('demo')).toEqual({ host: 'smtp.example', port: 2525, password: 's3cret' });
  });

  it('refuses bad values and unknown sections without saving anything', async () => {
    const bad = await admin('PATCH', '/api/settings', { demo: { port: 'x', host: 'other' } });
    expect(expectApiProblem(bad, 400, 'VALIDATION_FAILED').errors).toEqual([
      expect.objectContaining({ path: 'demo.port' }),
    ]);
    expectApiProblem(await admin('PATCH', '/api/settings', { nope: {} }), 400, 'VALIDATION_FAILED');
    expectApiProblem(await admin('PATCH', '/api/settings', { demo: 'x' }), 400, 'VALIDATION_FAILED');
    expect((await admin('GET', '/api/settings')).body.demo.host).toBe('smtp.example');
  });

  it('reaches another replica', async () => {
    const other = b.app.get(SettingsService);
    await other.get('demo');
    await admin('PATCH', '/api/settings', { demo: { host: 'changed.example' } });
    await eventually(async () => (await other.get('demo')).host === 'changed.example');
  });
});
