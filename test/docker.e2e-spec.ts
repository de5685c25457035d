import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';

const composeFile = new URL('../docker/compose.yml', import.meta.url);

/**
 * The Docker Compose that can read docker/compose.yml (Compose Specification: top-level `name`,
 * `env_file` with `required`), or why none here can: v1 (Debian 12's docker-compose) cannot.
 */
function findCompose(): { command: string[] } | { missing: string } {
  const version = (command: string[]): string | null => {
    try {
      return execFileSync(command[0]!, [...command.slice(1), 'version', '--short'], {
        stdio: ['ignore', 'pipe', 'ignore'],
      })
        .toString()
        .trim();
    } catch {
      return null;
    }
  };
  for (const command of [['docker', 'compose'], ['docker-compose']]) {
    const v = version(command);
    if (v && Number(v.replace(/^v/, '').split('.')[0]) >= 2) return { command };
  }
  const v1 = version(['docker-compose']);
  return {
    missing: v1
      ? `only docker-compose ${v1} is installed, which cannot read the Compose Specification`
      : 'Docker Compose v2 is not installed',
  };
}

const compose = findCompose();
// An environment without Docker Compose v2 shows the check as skipped, with the reason, not as passed.
const itWithCompose = 'command' in compose ? it : it.skip;
const composeReason = 'command' in compose ? '' : ` (skipped: ${compose.missing})`;

describe('docker/compose.yml', () => {
  const file = parse(readFileSync(composeFile, 'utf8')) as {
    services: Record<
      string,
      { healthcheck?: unknown; environment?: Record<string, string>; command?: unknown; depends_on?: unknown }
    >;
    volumes?: Record<string, unknown>;
  };

  it('runs server, worker, postgres and redis with health checks', () => {
    for (const name of ['server', 'worker', 'postgres', 'redis']) {
      expect(file.services[name]).toBeDefined();
      expect(file.services[name]!.healthcheck).toBeDefined();
    }
    expect(file.services.server!.environment?.PLINTH_WORKERS).toBe('off');
    expect(JSON.stringify(file.services.worker!.command)).toContain('dist/apps/worker/main.js');
    expect(Object.keys(file.volumes ?? {}).length).toBeGreaterThan(0);
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

  itWithCompose(`is accepted by \`docker compose config\`${composeReason}`, () => {
    const command = (compose as { command: string[] }).command;
    expect(() =>
      execFileSync(command[0]!, [...command.slice(1), '-f', composeFile.pathname, 'config', '-q'], {
        stdio: 'pipe',
        env: { ...process.env, PLINTH_SECRET: 'a-secret-for-checking-the-compose-file-0123456789' },
      }),
    ).not.toThrow();
  });
});
