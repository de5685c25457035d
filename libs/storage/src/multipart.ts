import multipart from '@fastify/multipart';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { ResolvedConfig } from '@plinth/core';

/** Most files one multipart request may carry (the collection model allows 100 per field list). */
export const MAX_FILES_PER_REQUEST = 100;

/**
 * Registers multipart/form-data parsing for record uploads, in the plugin's supported form. Files are
 * streamed part by part with `parts()` (never buffered, never saved to temp files); each file's limit
 * is its field's maxSize, enforced while it streams, so busboy's own file limit is off. Text parts get
 * the JSON body limit. The plugin's onRequest/onResponse hooks (temp-file cleanup for
 * `saveRequestFiles()`) find nothing to clean, since Plinth never saves parts.
 */
export async function registerMultipart(app: NestFastifyApplication, config: ResolvedConfig): Promise<void> {
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
