import { DynamicModule, Global, Module } from '@nestjs/common';
import { PLINTH_CONFIG, PLINTH_PROCESS, type PlinthProcess } from '../core.tokens.js';
import type { ResolvedConfig } from '../runtime/runtime.js';

/**
 * The validated configuration and what this process is. Global, like the logger: every module reads
 * them. Everything else is imported by the modules that use it (CoreModule for the stores).
 */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: ResolvedConfig, process: PlinthProcess): DynamicModule {
    return {
      module: ConfigModule,
      providers: [
        { provide: PLINTH_CONFIG, useValue: config },
        { provide: PLINTH_PROCESS, useValue: process },
      ],
      exports: [PLINTH_CONFIG, PLINTH_PROCESS],
    };
  }
}
