import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

/** Thrown through the upload stream when the bytes are not the blob the manifest names. */
export class BlobMismatch extends Error {}

/**
 * Passes bytes through while hashing them; fails the stream (so the storage keeps nothing) as soon as
 * it carries more than `size` bytes, or at its end when the SHA-256 or the length differ.
 */
export function verifyingStream(sha256: string, size: number): Transform {
  const hash = createHash('sha256');
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      seen += chunk.length;
      if (seen > size)
        return done(new BlobMismatch(`is longer than the ${size} bytes its manifest entry says`));
      hash.update(chunk);
      done(null, chunk);
    },
    flush(done: TransformCallback) {
      if (seen !== size)
        return done(new BlobMismatch(`has ${seen} bytes, not the ${size} its manifest entry says`));
      const got = hash.digest('hex');
      if (got !== sha256) return done(new BlobMismatch(`has the SHA-256 ${got}, not its name`));
      done();
    },
  });
}

/** The storage key of a site blob. */
export const blobKey = (sha256: string): string => `_hosting/blobs/${sha256}`;
