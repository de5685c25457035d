import { describe, expect, it } from '@jest/globals';
import type { DiscoveryService } from '@nestjs/core';
import type { ResolvedConfig } from '@plinth/core';
import { JobHandler } from './job-handler.js';
import { JobsWorker, MissingJobHandlerError } from './jobs-worker.service.js';
import type { JobsService } from './jobs.service.js';

const providers = (...classes: Array<new () => unknown>) =>
  ({
    getProviders: () => classes.map((c) => ({ instance: new c(), metatype: c })),
  }) as unknown as DiscoveryService;

describe('JobsWorker boot check', () => {
  it('refuses to boot when a job name has no handler, naming it', async () => {
    const worker = new JobsWorker(providers(), {} as JobsService, {} as ResolvedConfig);
    await expect(worker.onApplicationBootstrap()).rejects.toThrow(MissingJobHandlerError);
    await expect(worker.onApplicationBootstrap()).rejects.toThrow(/"maintenance\.cleanup"/);
  });

  it('refuses two handlers for one job name', async () => {
    @JobHandler('maintenance.cleanup')
    class A {
      handle = async () => undefined;
    }
    @JobHandler('maintenance.cleanup')
    class B {
      handle = async () => undefined;
    }
    const worker = new JobsWorker(providers(A, B), {} as JobsService, {} as ResolvedConfig);
    await expect(worker.onApplicationBootstrap()).rejects.toThrow(/Two handlers/);
  });
});
