import { Module } from '@nestjs/common';
import { AuthModule } from '@plinth/auth';
import { CollectionsModule } from '@plinth/collections';
import { AppError, ConfigModule, SettingsModule, type ResolvedConfig } from '@plinth/core';
import { JobsModule } from '@plinth/jobs';
import { withCliContext } from '../cli-context.js';
import { formatReport } from './pb-report.js';
import { PocketBaseImportModule } from './pocketbase-import.module.js';
import { PocketBaseImportService } from './pocketbase-import.service.js';

export const IMPORT_USAGE = `  import pocketbase <pb_data dir | backup.zip> [--dry-run] [--json]
                                 Import a whole PocketBase app (collections, records with their ids,
                                 files, users with their passwords, superusers as admins) into this
                                 fresh install. --dry-run prints the report and changes nothing.
`;

function importModule(config: ResolvedConfig) {
  @Module({
    imports: [
      ConfigModule.forRoot(config, { role: 'cli', consumesJobs: false }),
      SettingsModule,
      JobsModule,
      CollectionsModule,
      AuthModule,
      PocketBaseImportModule,
    ],
  })
  class ImportCliModule {}
  return ImportCliModule;
}

/** `npm run plinth -- import pocketbase <source> [--dry-run] [--json]`: exit 0 with the report, 1 with a reason. */
export async function runImportCommand(args: string[]): Promise<number> {
  const flags = new Set(args.filter((a) => a.startsWith('--')));
  const [kind, source, ...rest] = args.filter((a) => !a.startsWith('--'));
  const unknown = [...flags].filter((f) => f !== '--dry-run' && f !== '--json');
  if (kind !== 'pocketbase' || !source || rest.length || unknown.length) {
    process.stderr.write(
      `Usage: npm run plinth -- import pocketbase <pb_data dir | backup.zip> [--dry-run] [--json]\n`,
    );
    return 2;
  }
  return withCliContext(importModule, async (app) => {
    try {
      const report = await app.get(PocketBaseImportService).run(source, { dryRun: flags.has('--dry-run') });
      process.stdout.write(
        flags.has('--json') ? JSON.stringify(report, null, 2) + '\n' : formatReport(report),
      );
      return 0;
    } catch (err) {
      const message = err instanceof AppError ? err.detail : (err as Error).message;
      process.stderr.write(`The PocketBase import failed: ${message}\n`);
      return 1;
    }
  });
}
