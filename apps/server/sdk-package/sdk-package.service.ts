import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CollectionsRegistry } from '@plinth/collections';
import { AppError } from '@plinth/core';
import { generateDefaultSchemaModule } from '../../../sdk/src/cli/typegen.js';
import { OpenApiService } from '../openapi/openapi.service.js';
import { PLINTH_VERSION } from '../version.js';
import { packTgz, type TarFile } from './tgz.js';

export interface SdkPackage {
  tgz: Buffer;
  etag: string;
}

// The declaration the served package replaces with the caller's generated Schema.
const SCHEMA_DECLARATION = 'dist/types/default-schema.d.ts';

/** The SDK's folder (with package.json and the dist/ of `npm run build`), found above this module. */
function findSdkDir(): string | undefined {
  for (let dir = import.meta.dirname, i = 0; i < 6; i++, dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'sdk');
    if (existsSync(path.join(candidate, 'dist/types/index.d.ts'))) return candidate;
  }
  return undefined;
}

function listFiles(root: string, dir = ''): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = dir ? `${dir}/${e.name}` : e.name;
    return e.isDirectory() ? listFiles(root, rel) : e.isFile() ? [rel] : [];
  });
}

/** The built SDK as package files (source maps left out: the sources are not shipped). */
function readSdk(sdkDir: string): TarFile[] {
  const manifest = JSON.parse(readFileSync(path.join(sdkDir, 'package.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  const exports = manifest.exports as Record<string, unknown>;
  const pkg = {
    ...manifest,
    version: PLINTH_VERSION,
    exports: { ...exports, './schema': { types: `./${SCHEMA_DECLARATION}` } },
    files: ['dist', 'README.md'],
  };
  const files: TarFile[] = [
    { path: 'package.json', data: Buffer.from(JSON.stringify(pkg, null, 2) + '\n') },
    { path: 'README.md', data: readFileSync(path.join(sdkDir, 'README.md')) },
  ];
  const bin = Object.values((manifest.bin ?? {}) as Record<string, string>).map((p) => path.normalize(p));
  for (const rel of listFiles(path.join(sdkDir, 'dist'))) {
    // Source maps, the schema placeholder (generated per server) and build-sdk's stamp are not packed.
    if (rel.endsWith('.map') || rel === '.build-stamp' || `dist/${rel}` === SCHEMA_DECLARATION) continue;
    const p = `dist/${rel}`;
    files.push({
      path: p,
      data: readFileSync(path.join(sdkDir, p)),
      executable: bin.includes(path.normalize(p)),
    });
  }
  return files;
}

/**
 * @plinth/sdk as an npm tarball whose `createClient()` is typed for the caller's view of the live schema
 * (GET /api/sdk.tgz). Built once per schema generation and view, byte-for-byte reproducible.
 */
@Injectable()
export class SdkPackageService {
  private sdk?: TarFile[];
  private readonly cache = new Map<string, { generation: number; pkg: SdkPackage }>();

  constructor(
    private readonly openapi: OpenApiService,
    private readonly registry: CollectionsRegistry,
  ) {}

  async tarball(viewer: { admin: boolean }): Promise<SdkPackage> {
    const key = viewer.admin ? 'admin' : 'public';
    const generation = this.registry.generation;
    const hit = this.cache.get(key);
    if (hit && hit.generation === generation) return hit.pkg;
    const schema = generateDefaultSchemaModule(this.openapi.document(viewer));
    const sdk = await this.sdkFiles();
    const tgz = packTgz([...sdk, { path: SCHEMA_DECLARATION, data: Buffer.from(schema) }]);
    const pkg = { tgz, etag: `"${createHash('sha256').update(tgz).digest('base64url')}"` };
    this.cache.set(key, { generation, pkg });
    return pkg;
  }

  /** The SDK's files, read once: they belong to this server's build and do not change while it runs. */
  private async sdkFiles(): Promise<TarFile[]> {
    // scripts/build-sdk.mjs swaps sdk/dist by two renames: a read between them finds nothing, so retry.
    for (let attempt = 1; !this.sdk; attempt++) {
      const dir = findSdkDir();
      try {
        if (dir) this.sdk = readSdk(dir);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 5) throw err;
      }
      if (this.sdk) break;
      if (attempt >= 5) {
        throw new AppError(
          'SDK_NOT_BUILT',
          'This server has no built SDK (sdk/dist). Build it with `npm run build` (or `node scripts/build-sdk.mjs`) and restart the server.',
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
    return this.sdk;
  }
}
