import { Init1764090000000 } from './1764090000000-init.js';

/** Every migration, in order. Listed explicitly: no globbing of compiled files. */
export const MIGRATIONS = [Init1764090000000];
