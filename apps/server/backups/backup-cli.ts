import { resolve } from 'node:path';
import { Module } from '@nestjs/common';
import { AuthModule } from '@plinth/auth';
import { CollectionsModule } from '@plinth/collections';
import { AppError, ConfigModule, SettingsModule, type ResolvedConfig } from '@plinth/core';
import { JobsModule } from '@plinth/jobs';
import { withCliContext } from '../cli-context.js';
import { BackupsModule, BackupsService, RestoreService } from '@plinth/backups';

export const BACKUP_USAGE = `  backup create                  Write a backup of the whole install into the backup location.
  backup list                    List the backups, newest first.
  backup restore <name | path.zip>
                                 Replace the whole install with a backup (servers answer 503 meanwhile).
  backup delete <name>           Delete a backup.
`;

function backupModule(config: ResolvedConfig) {
  @Module({
    imports: [
      ConfigModule.forRoot(config, { role: 'cli', consumesJobs: false }),
      SettingsModule,
      JobsModule,
      CollectionsModule,
      AuthModule,
      BackupsModule.forRoot({ restore: true }),
    ],
  })
  class BackupCliModule {}
  return BackupCliModule;
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** `npm run plinth -- backup create|list|restore|delete`: exit 0 when done, 1 with the reason, 2 for bad usage. */
export async function runBackupCommand(args: string[]): Promise<number> {
  const [action, target, ...rest] = args;
  const needsTarget = action === 'restore' || action === 'delete';
  if (
    !['create', 'list', 'restore', 'delete'].includes(action ?? '') ||
    rest.length ||
    needsTarget !== !!target
  ) {
    process.stderr.write(`Usage:\n${BACKUP_USAGE}`);
    return 2;
  }
  return withCliContext(backupModule, async (app) => {
    const backups = app.get(BackupsService);
    try {
      if (action === 'create') {
        let last = '';
        const info = await backups.create((p) => {
          const line = p.stage === 'done' ? '' : `${p.stage} ${p.done}/${p.total}`;
          if (line && line !== last && process.stderr.isTTY) process.stderr.write(`\r${line}   `);
          last = line;
        });
        if (process.stderr.isTTY) process.stderr.write('\r');
        process.stdout.write(`Created ${info.name} (${mib(info.size)}) in ${backups.location.dir}\n`);
      } else if (action === 'list') {
        const { items } = await backups.list();
        if (!items.length) process.stdout.write(`No backups in ${backups.location.dir}\n`);
        for (const b of items) process.stdout.write(`${b.name}\t${mib(b.size)}\t${b.created}\n`);
      } else if (action === 'restore') {
        const restores = app.get(RestoreService);
        const report = target!.includes('/')
          ? await restores.restoreFile(resolve(target!), target!)
          : await restores.restore(target!);
        process.stdout.write(
          `Restored ${report.name}: ${report.tables} tables, ${report.rows} rows, ${report.files} files.\n`,
        );
      } else {
        await backups.delete(target!);
        process.stdout.write(`Deleted ${target}\n`);
      }
      return 0;
    } catch (err) {
      const message = err instanceof AppError ? err.detail : (err as Error).message;
      process.stderr.write(`The backup ${action} failed: ${message}\n`);
      return 1;
    }
  });
}
