import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';

const composeFile = new URL('../docker/compose.yml', import.meta.url);

function dockerComposeAvailable(): boolean {
  try {
    execFileSync('docker', ['compose', 'version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('docker/compose.yml', () => {
  const compose = parse(readFileSync(composeFile, 'utf8')) as {
    services: Record<
      string,
      { healthcheck?: unknown; environment?: Record<string, string>; command?: unknown; depends_on?: unknown }
    >;
    volumes?: Record<string, unknown>;
  };

  it('runs server, worker, postgres and redis with health checks', () => {
    for (const name of ['server', 'worker', 'postgres', 'redis']) {
      expect(compose.services[name]).toBeDefined();
      expect(compose.services[name]!.healthcheck).toBeDefined();
    }
    expect(compose.services.server!.environment?.PLINTH_WORKERS).toBe('off');
    expect(JSON.stringify(compose.services.worker!.command)).toContain('dist/apps/worker/main.js');
    expect(Object.keys(compose.volumes ?? {}).length).toBeGreaterThan(0);
  });

  it('ships no default PLINTH_SECRET: compose requires it from docker/.env or the shell', () => {
    const raw = readFileSync(composeFile, 'utf8');
    expect(raw).toMatch(/PLINTH_SECRET: \$\{PLINTH_SECRET:\?[^}]+\}/);
    expect(raw).not.toMatch(/PLINTH_SECRET:-/);
  });

  it('names in docker/example.env every variable the config schema reads', async () => {
    const { envSchema } = await import('../libs/core/src/config/config.schema.js');
    const example = readFileSync(new URL('../docker/example.env', import.meta.url), 'utf8');
    for (const key of Object.keys(envSchema.shape)) expect(example).toContain(key);
  });

  it('is accepted by `docker compose config` where Docker Compose is installed', () => {
    // Without the compose plugin (as on CI here) the YAML checks above are what runs.
    if (!dockerComposeAvailable()) return;
    expect(() =>
      execFileSync('docker', ['compose', '-f', composeFile.pathname, 'config', '-q'], {
        stdio: 'pipe',
        env: { ...process.env, PLINTH_SECRET: 'a-secret-for-checking-the-compose-file-0123456789' },
      }),
    ).not.toThrow();
  });
});
