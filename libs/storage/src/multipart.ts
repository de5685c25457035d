import multipart from '@fastify/multipart';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { ResolvedConfig } from '@plinth/core';

/** Most files one multipart request may carry (the collection model allows 100 per field list). */
export const MAX_FILES_PER_REQUEST = 100;

/**
 * Registers multipart/form-data parsing for record uploads. Files are streamed part by part (never
 * buffered); each file's limit is its field's maxSize, enforced while it streams, so busboy's own
 * file limit is off. Text parts get the JSON body limit.
 */
export async function registerMultipart(app: NestFastifyApplication, config: ResolvedConfig): Promise<void> {
  // The plugin adds an onRequest and an onResponse hook to every route of the server, to delete the
  // temp files of `saveRequestFiles()`. Plinth only streams parts (`parts()`), never saves them, so
  // those hooks would be pure cost on every request: they are left out while the plugin registers.
  const fastify = app.getHttpAdapter().getInstance();
  const addHook = fastify.addHook;
  const dropped: string[] = [];
  fastify.addHook = function (this: typeof fastify, name: string, ...rest: unknown[]) {
    if (name === 'onRequest' || name === 'onResponse') {
      dropped.push(name);
      return this;
    }
    return (addHook as (...args: unknown[]) => typeof fastify).call(this, name, ...rest);
  } as typeof fastify.addHook;
  try {
    await registerPlugin(app, config);
  } finally {
    fastify.addHook = addHook;
  }
  if (dropped.length !== 2) {
    throw new Error(
      `@fastify/multipart added ${dropped.length} request hooks, not the 2 expected: check multipart.ts`,
    );
  }
}

async function registerPlugin(app: NestFastifyApplication, config: ResolvedConfig): Promise<void> {
  await app.register(multipart as never, {
    limits: {
      fieldNameSize: 200,
      fieldSize: config.http.bodyLimit,
      fields: 1000,
      files: MAX_FILES_PER_REQUEST,
      parts: 1000 + MAX_FILES_PER_REQUEST,
      headerPairs: 100,
      fileSize: Number.MAX_SAFE_INTEGER,
    },
  });
}
