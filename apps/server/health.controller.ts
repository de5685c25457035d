import { Controller, Get, Inject, Res } from '@nestjs/common';
import {
  Lifecycle,
  PLINTH_CONFIG,
  REDIS,
  sendProblem,
  toProblem,
  AppError,
  ApiAnswer,
  objectSchema,
  type ResolvedConfig,
} from '@plinth/core';
import { ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';

type Check = 'ok' | 'unavailable';

async function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

const checkSchema = { type: 'string', enum: ['ok', 'unavailable'] };
const readySchema = objectSchema({
  status: { type: 'string', enum: ['ok'] },
  checks: objectSchema({ postgres: checkSchema, redis: checkSchema }),
  workers: {
    type: 'string',
    enum: ['inline', 'off'],
    description: 'Whether this process also runs the job workers.',
  },
});

@ApiTags('health')
@Controller('api')
export class HealthController {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly lifecycle: Lifecycle,
    @Inject(PLINTH_CONFIG) private readonly config: ResolvedConfig,
  ) {}

  /** Liveness: the process answers. Stays 200 while PostgreSQL or Redis is down. */
  @Get('health')
  @ApiAnswer(objectSchema({ status: { type: 'string', enum: ['ok'] } }))
  health() {
    return { status: 'ok' };
  }

  /** Readiness: PostgreSQL and Redis answer and the server is not shutting down. */
  @Get('ready')
  @ApiAnswer(readySchema)
  @ApiResponse({ status: 503, description: 'Not ready: a problem with checks: {postgres, redis}.' })
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    const [postgres, redis] = await Promise.all([
      within(3000, this.dataSource.query('SELECT 1')).then(
        (): Check => 'ok',
        (): Check => 'unavailable',
      ),
      within(3000, this.redis.ping()).then(
        (): Check => 'ok',
        (): Check => 'unavailable',
      ),
    ]);
    const checks = { postgres, redis };
    if (this.lifecycle.shuttingDown || postgres !== 'ok' || redis !== 'ok') {
      const down = Object.entries(checks)
        .filter(([, v]) => v !== 'ok')
        .map(([k]) => (k === 'postgres' ? 'PostgreSQL' : 'Redis'));
      const detail = this.lifecycle.shuttingDown
        ? 'This server is shutting down; send requests to another replica.'
        : `${down.join(' and ')} cannot be reached; this server answers 503 to requests that need it until it is back.`;
      const code = this.lifecycle.shuttingDown ? 'SHUTTING_DOWN' : 'NOT_READY';
      const { problem } = toProblem(new AppError(code, detail, { checks }), String(reply.request.id));
      sendProblem(reply, problem, { 'retry-after': '5' });
      return;
    }
    return { status: 'ok', checks, workers: this.config.workers.mode };
  }
}
