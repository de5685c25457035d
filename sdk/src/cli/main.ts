#!/usr/bin/env node
/**
 * `plinth`: the developer's command line of @plinth/sdk.
 *   plinth typegen --url U --key K --out plinth-types.ts
 *   plinth schema export --url U --key K [--out schema.json]
 *   plinth schema apply schema.json --url U --key K [--dry-run] [--delete-missing]
 * `--url` and `--key` default to PLINTH_URL and PLINTH_KEY.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createClient, type PlinthClient } from '../client.js';
import { PlinthError } from '../errors.js';
import { collectionsOf, generateTypes } from './typegen.js';
import { describeChanges, parseSchemaFile, toSchemaFile } from './schema-file.js';

const USAGE = `Usage:
  plinth typegen --url <server> --key <admin key> [--out plinth-types.ts]
  plinth schema export --url <server> --key <admin key> [--out schema.json]
  plinth schema apply <schema.json> --url <server> --key <admin key> [--dry-run] [--delete-missing]

--url and --key default to the PLINTH_URL and PLINTH_KEY environment variables.
The key is an API key with the "admin" scope (or an admin token).`;

class UsageError extends Error {}

interface Args {
  positional: string[];
  flags: Map<string, string | true>;
}

const VALUE_FLAGS = new Set(['url', 'key', 'out']);
const BOOL_FLAGS = new Set(['dry-run', 'delete-missing', 'help']);

export function parseArgs(argv: string[]): Args {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-h') {
      flags.set('help', true);
      continue;
    }
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    if (BOOL_FLAGS.has(name)) {
      if (eq !== -1) throw new UsageError(`--${name} takes no value.`);
      flags.set(name, true);
    } else if (VALUE_FLAGS.has(name)) {
      const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
      if (value === undefined || value === '' || (eq === -1 && value.startsWith('--'))) {
        throw new UsageError(`--${name} needs a value.`);
      }
      flags.set(name, value);
    } else {
      throw new UsageError(`Unknown option --${name}.`);
    }
  }
  return { positional, flags };
}

function connection(args: Args, env: NodeJS.ProcessEnv): PlinthClient<unknown> {
  const url = (args.flags.get('url') as string | undefined) ?? env.PLINTH_URL;
  const key = (args.flags.get('key') as string | undefined) ?? env.PLINTH_KEY;
  if (!url) throw new UsageError('Give the server URL with --url or PLINTH_URL.');
  if (!/^https?:\/\//.test(url))
    throw new UsageError(`--url must start with http:// or https:// (got "${url}").`);
  if (!key)
    throw new UsageError(
      'Give an admin API key with --key or PLINTH_KEY (create one in the console under API keys).',
    );
  const client = createClient<unknown>({ url, autoRefresh: false });
  client.authStore.save(key, null);
  return client;
}

async function output(file: string | undefined, text: string): Promise<void> {
  if (!file) {
    process.stdout.write(text);
    return;
  }
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  await writeFile(file, text);
}

async function typegen(args: Args, env: NodeJS.ProcessEnv): Promise<void> {
  const client = connection(args, env);
  const doc = await client.send<unknown>('/api/openapi.json');
  const collections = collectionsOf(doc);
  if (!collections.length) {
    throw new Error(
      'The OpenAPI document lists no collection schemas: is the key an admin key, and does the server have collections?',
    );
  }
  const out = args.flags.get('out') as string | undefined;
  await output(out, generateTypes(doc));
  if (out) {
    process.stderr.write(
      `Wrote types for ${collections.length} collections (${collections.map((c) => c.name).join(', ')}) to ${out}\n`,
    );
  }
}

async function schemaExport(args: Args, env: NodeJS.ProcessEnv): Promise<void> {
  const client = connection(args, env);
  const file = toSchemaFile(await client.collections.list());
  const out = args.flags.get('out') as string | undefined;
  await output(out, `${JSON.stringify(file, null, 2)}\n`);
  if (out) process.stderr.write(`Wrote ${file.collections.length} collections to ${out}\n`);
}

async function schemaApply(args: Args, env: NodeJS.ProcessEnv): Promise<void> {
  const file = args.positional[2];
  if (!file) throw new UsageError('Name the schema file: plinth schema apply schema.json');
  const client = connection(args, env);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new Error(`Cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
  const schema = parseSchemaFile(text, file);
  const dryRun = args.flags.get('dry-run') === true;
  const deleteMissing = args.flags.get('delete-missing') === true || schema.deleteMissing === true;
  const { changes } = await client.collections.import(schema.collections, { dryRun, deleteMissing });
  const lines = describeChanges(changes);
  if (!lines.length) {
    process.stdout.write(`No changes: the server already matches ${file}.\n`);
    return;
  }
  const n = `${lines.length} change${lines.length === 1 ? '' : 's'}`;
  process.stdout.write(
    dryRun
      ? `Plan for ${file} (dry run: nothing was changed):\n${lines.map((l) => `  ${l}`).join('\n')}\n${n} would be applied. Run again without --dry-run to apply.\n`
      : `Applied ${file}:\n${lines.map((l) => `  ${l}`).join('\n')}\n${n} applied.\n`,
  );
}

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  try {
    const args = parseArgs(argv);
    const [command, sub] = args.positional;
    if (args.flags.has('help') || !command) {
      process.stdout.write(`${USAGE}\n`);
      return command || args.flags.has('help') ? 0 : 1;
    }
    if (command === 'typegen') await typegen(args, env);
    else if (command === 'schema' && sub === 'export') await schemaExport(args, env);
    else if (command === 'schema' && sub === 'apply') await schemaApply(args, env);
    else throw new UsageError(`Unknown command "${[command, sub].filter(Boolean).join(' ')}".`);
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`error: ${err.message}\n\n${USAGE}\n`);
    } else if (err instanceof PlinthError) {
      const lines = [`error: ${err.detail || err.message}`];
      for (const e of err.errors) lines.push(`  - ${e.path}: ${e.message}`);
      if (err.status)
        lines.push(`  (${err.status} ${err.code}${err.requestId ? `, request ${err.requestId}` : ''})`);
      process.stderr.write(`${lines.join('\n')}\n`);
    } else {
      process.stderr.write(`error: ${(err as Error)?.message ?? String(err)}\n`);
    }
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
