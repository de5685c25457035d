import type { Readable } from 'node:stream';

export interface ObjectInfo {
  size: number;
  etag: string;
  modified: Date;
}

/** An inclusive byte range, as HTTP states them. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Where file bytes live. Keys are `/`-separated relative paths the server builds
 * (`<collectionId>/<recordId>/<name>`); drivers must refuse anything else.
 */
export interface StorageDriver {
  readonly name: 'local' | 's3';
  /** Stores `body` under `key`, all or nothing: a failed or cut-off stream leaves no object. */
  put(key: string, body: Readable, opts: { contentType: string }): Promise<void>;
  /** The object's bytes (a range of them when given); rejects with ObjectNotFound when missing. */
  get(key: string, range?: ByteRange): Promise<Readable>;
  head(key: string): Promise<ObjectInfo | null>;
  /** Deletes the keys; missing ones are no error. */
  delete(keys: string[]): Promise<void>;
  /** Every key under `prefix` (which ends with `/`). */
  list(prefix: string): Promise<string[]>;
  close(): void;
}

export class ObjectNotFound extends Error {
  constructor(key: string) {
    super(`No stored object "${key}"`);
    this.name = 'ObjectNotFound';
  }
}

const KEY = /^[A-Za-z0-9_-]+(?:\/[A-Za-z0-9_.-]+)*\/?$/;

/** Refuses keys that could leave the storage root: `..`, absolute paths, NUL, backslashes, empty segments. */
export function assertSafeKey(key: string): void {
  if (!KEY.test(key) || key.split('/').some((s) => s === '.' || s === '..') || key.length > 1024) {
    throw new Error(`Refusing unsafe storage key ${JSON.stringify(key.slice(0, 200))}`);
  }
}
