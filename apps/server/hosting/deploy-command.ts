import { createHash } from 'node:crypto';
import { createReadStream, openAsBlob } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { manifestPathProblem } from '@plinth/hosting';

export const DEPLOY_USAGE = `  deploy <dir> [--url URL] [--key KEY] [--message TEXT]
                                 Upload a built web front end (e.g. ./dist) and serve it at /. Only files
                                 the server does not have are sent; the new deploy goes live at once on
                                 every server, and the console's Hosting page rolls back. --url and --key
                                 default to PLINTH_URL (else http://127.0.0.1:$PORT) and PLINTH_KEY (an
                                 API key with the "admin" scope).
`;

/** Manifest entries per request, and how much one upload request carries. */
const MANIFEST_CHUNK = 5000;
const MANIFEST_CHUNK_BYTES = 512 * 1024;
const UPLOAD_MAX_PARTS = 100;
const UPLOAD_MAX_BYTES = 16 * 1024 * 1024;

interface LocalFile {
  path: string;
  abs: string;
  size: number;
  sha256: string;
}

class DeployError extends Error {}

function parse(args: string[], env: NodeJS.ProcessEnv) {
  const flags = new Map<string, string>();
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (!['url', 'key', 'message'].includes(name)) throw new DeployError(`Unknown option --${name}.`);
    const value = eq < 0 ? args[++i] : arg.slice(eq + 1);
    if (!value) throw new DeployError(`--${name} needs a value.`);
    flags.set(name, value);
  }
  if (positional.length !== 1)
    throw new DeployError('Give the folder to deploy, e.g. npm run plinth -- deploy ./dist');
  const url = (flags.get('url') ?? env.PLINTH_URL ?? `http://127.0.0.1:${env.PORT ?? '8090'}`).replace(
    /\/+$/,
    '',
  );
  if (!/^https?:\/\//.test(url))
    throw new DeployError(`--url must start with http:// or https:// (got "${url}").`);
  const key = flags.get('key') ?? env.PLINTH_KEY;
  if (!key) {
    throw new DeployError(
      'Give an admin API key with --key or PLINTH_KEY (create one in the console under API keys).',
    );
  }
  return { dir: positional[0]!, url, key, message: flags.get('message') ?? '' };
}

/** Every regular file under `root`; symlinks and other special files are skipped and named. */
async function collect(
  root: string,
  warn: (line: string) => void,
): Promise<Array<Omit<LocalFile, 'sha256'>>> {
  const out: Array<Omit<LocalFile, 'sha256'>> = [];
  const walk = async (dir: string, rel: string) => {
    for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
      a.name < b.name ? -1 : 1,
    )) {
      const abs = path.join(dir, entry.name);
      const p = rel ? `${rel}/${entry.name}` : entry.name;
      const s = await lstat(abs);
      if (s.isSymbolicLink()) {
        warn(
          `Skipped ${p}: it is a symbolic link, and a deploy carries regular files only (copy the file in instead).`,
        );
      } else if (s.isDirectory()) {
        await walk(abs, p);
      } else if (s.isFile()) {
        const problem = manifestPathProblem(p);
        if (problem)
          throw new DeployError(`Cannot deploy "${p}": its path ${problem}. Rename it and try again.`);
        out.push({ path: p, abs, size: s.size });
      } else {
        warn(`Skipped ${p}: not a regular file.`);
      }
    }
  };
  await walk(root, '');
  return out;
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(bytes < 1024 * 1024 ? 2 : 1)} MB`;

/** `npm run plinth -- deploy <dir>`: the exit code (0 live, 1 failed, 2 wrong usage). */
export async function runDeployCommand(
  args: string[],
  io: { env: NodeJS.ProcessEnv; out: (s: string) => void; err: (s: string) => void } = {
    env: process.env,
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
  },
): Promise<number> {
  let opts: ReturnType<typeof parse>;
  try {
    opts = parse(args, io.env);
  } catch (err) {
    io.err(
      `${(err as Error).message}\n\nUsage: npm run plinth -- deploy <dir> [--url URL] [--key KEY] [--message TEXT]\n`,
    );
    return 2;
  }
  const call = async <T>(method: string, route: string, body?: unknown): Promise<T> => {
    let res: Response;
    try {
      res = await fetch(opts.url + route, {
        method,
        headers: {
          authorization: `Bearer ${opts.key}`,
          ...(body instanceof FormData || body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body instanceof FormData ? body : body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      throw new DeployError(
        `Cannot reach ${opts.url}: ${(err as Error).message}. Is the server running? (--url)`,
      );
    }
    const text = await res.text();
    if (!res.ok) {
      let detail = text.slice(0, 500);
      try {
        const p = JSON.parse(text) as { detail?: string; errors?: Array<{ path: string; message: string }> };
        detail = [p.detail, ...(p.errors ?? []).slice(0, 10).map((e) => `  ${e.path}: ${e.message}`)].join(
          '\n',
        );
      } catch {
        // not problem+json: show the text
      }
      throw new DeployError(`The server refused (${res.status}): ${detail}`);
    }
    return JSON.parse(text) as T;
  };
  try {
    const root = path.resolve(opts.dir);
    const stat = await lstat(root).catch(() => undefined);
    if (!stat?.isDirectory())
      throw new DeployError(`${opts.dir} is not a folder. Build your app first (e.g. npm run build).`);
    const listed = await collect(root, (line) => io.err(line + '\n'));
    if (!listed.length) throw new DeployError(`${opts.dir} has no files to deploy.`);
    const files: LocalFile[] = [];
    for (const f of listed) files.push({ ...f, sha256: await sha256Of(f.abs) });
    const entries = files.map(({ path: p, sha256, size }) => ({ path: p, sha256, size }));
    type Answer = { id: string; missing: string[] };
    // Parts of at most 5,000 entries and ~512 KiB of JSON, well inside the server's body limit.
    const chunks: Array<typeof entries> = [[]];
    let chunkBytes = 0;
    for (const e of entries) {
      const bytes = JSON.stringify(e).length + 1;
      if (chunks.at(-1)!.length >= MANIFEST_CHUNK || chunkBytes + bytes > MANIFEST_CHUNK_BYTES) {
        chunks.push([]);
        chunkBytes = 0;
      }
      chunks.at(-1)!.push(e);
      chunkBytes += bytes;
    }
    let answer = await call<Answer>('POST', '/api/hosting/deploys', {
      files: chunks[0],
      ...(opts.message ? { message: opts.message } : {}),
    });
    const id = answer.id;
    for (const part of chunks.slice(1)) {
      answer = await call<Answer>('POST', `/api/hosting/deploys/${id}/files`, { files: part });
    }
    const bySha = new Map(files.map((f) => [f.sha256, f]));
    const missing = answer.missing.map((sha) => bySha.get(sha)!).filter(Boolean);
    let batch = new FormData();
    let parts = 0;
    let bytes = 0;
    const flush = async () => {
      if (!parts) return;
      await call('POST', `/api/hosting/deploys/${id}/blobs`, batch);
      batch = new FormData();
      parts = 0;
      bytes = 0;
    };
    for (const f of missing) {
      if (parts && (parts >= UPLOAD_MAX_PARTS || bytes + f.size > UPLOAD_MAX_BYTES)) await flush();
      batch.append(f.sha256, await openAsBlob(f.abs), path.basename(f.path));
      parts++;
      bytes += f.size;
    }
    await flush();
    await call('POST', `/api/hosting/deploys/${id}/activate`);
    const total = files.reduce((n, f) => n + f.size, 0);
    const sent = missing.reduce((n, f) => n + f.size, 0);
    io.out(
      `Deployed ${files.length} file${files.length === 1 ? '' : 's'} (${mb(total)}); uploaded ${missing.length} new (${mb(sent)}).\n` +
        `Deploy ${id} is live at ${opts.url}/\n`,
    );
    return 0;
  } catch (err) {
    if (err instanceof DeployError) {
      io.err(`${err.message}\nNothing changed on the site: the previous deploy is still served.\n`);
      return 1;
    }
    throw err;
  }
}
