import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { AdminsCliModule, AdminsService } from '@plinth/auth';
import { AppError, ConfigModule, type ResolvedConfig } from '@plinth/core';
import { createInterface } from 'node:readline';
import { withCliContext } from './cli-context.js';
import { BACKUP_USAGE, runBackupCommand } from './backups/backup-cli.js';
import { IMPORT_USAGE, runImportCommand } from './pocketbase-import/import-cli.js';
import { DEPLOY_USAGE, runDeployCommand } from './hosting/deploy-command.js';

const USAGE = `Usage: npm run plinth -- <command>

Commands:
  admin create <email>           Create an admin. The password is read from standard input
                                 (typed at a prompt, or piped: echo 'secret' | npm run plinth -- admin create a@b.c).
  admin reset-password <email>   Set an admin's password (read from standard input, as above) and end
                                 every session of that admin.
  admin delete <email>           Delete an admin and end its sessions (never the last admin).
${IMPORT_USAGE}${DEPLOY_USAGE}${BACKUP_USAGE}`;

const ACTIONS = ['create', 'reset-password', 'delete'] as const;
type Action = (typeof ACTIONS)[number];

async function readPassword(): Promise<string> {
  if (!process.stdin.isTTY) {
    let data = '';
    for await (const chunk of process.stdin) data += chunk;
    return data.replace(/\r?\n$/, '');
  }
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  // Hide what is typed after the prompt.
  const write = (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput.bind(rl);
  let prompting = true;
  (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) => {
    if (!prompting) write(s);
  };
  process.stdout.write('Password: ');
  const answer = await new Promise<string>((resolve) => rl.question('', resolve));
  prompting = false;
  rl.close();
  process.stdout.write('\n');
  return answer;
}

function cliModule(config: ResolvedConfig) {
  @Module({ imports: [ConfigModule.forRoot(config, { role: 'cli', consumesJobs: false }), AdminsCliModule] })
  class CliModule {}
  return CliModule;
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args[0] === 'cli') args.shift();
  if (args[0] === 'import') return runImportCommand(args.slice(1));
  if (args[0] === 'deploy') return runDeployCommand(args.slice(1));
  if (args[0] === 'backup') return runBackupCommand(args.slice(1));
  const [area, action, email] = args;
  if (area !== 'admin' || !ACTIONS.includes(action as Action) || !email) {
    process.stderr.write(USAGE);
    return 2;
  }
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
    process.stderr.write(`"${email}" is not an email address.\n`);
    return 2;
  }
  const password = action === 'delete' ? '' : await readPassword();
  if (action !== 'delete' && password.length < 10) {
    process.stderr.write('The password must be at least 10 characters long.\n');
    return 2;
  }
  return withCliContext(cliModule, async (app) => {
    try {
      const admins = app.get(AdminsService);
      if (action === 'create') {
        const admin = await admins.create(email, password);
        process.stdout.write(`Created admin ${admin.email} (id ${admin.id}).\n`);
      } else if (action === 'reset-password') {
        const admin = await admins.resetPassword(email, password);
        process.stdout.write(`Set a new password for admin ${admin.email}; every session of it has ended.\n`);
      } else {
        const admin = await admins.deleteByEmail(email);
        process.stdout.write(`Deleted admin ${admin.email} (id ${admin.id}); its sessions have ended.\n`);
      }
      return 0;
    } catch (err) {
      process.stderr.write((err instanceof AppError ? err.detail : String(err)) + '\n');
      return 1;
    }
  });
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  },
);
