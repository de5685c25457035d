import type { UntypedCollection } from './types.js';

/**
 * The Schema of `createClient()` without a type argument: any collection, loosely typed. The package a
 * server serves at GET /api/sdk.tgz ships its own declaration of this file (its generated `Schema`), so
 * there `createClient()` is typed with no typegen step. Keep it the only declaration of this file.
 */
export type DefaultSchema = Record<string, UntypedCollection>;
