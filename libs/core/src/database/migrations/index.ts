import { Init1764090000000 } from './1764090000000-init.js';
import { AdminsKeysCollections1764090100000 } from './1764090100000-admins-keys-collections.js';

/** Every migration, in order. Listed explicitly: no globbing of compiled files. */
export const MIGRATIONS = [Init1764090000000, AdminsKeysCollections1764090100000];
