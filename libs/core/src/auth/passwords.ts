import { randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import bcrypt from 'bcryptjs';

// argon2id (the library's default algorithm) with OWASP's second recommended profile.
const OPTIONS = { memoryCost: 19456, timeCost: 2, parallelism: 1 };

export const hashPassword = (password: string): Promise<string> => hash(password, OPTIONS);

// PocketBase (and most Go and PHP apps) store bcrypt: `$2a$`, `$2b$` or `$2y$`, a two-digit cost, then the salt and hash.
const BCRYPT = /^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/;

/** Checks a password against an argon2id hash, or a bcrypt hash imported from another system. */
export async function verifyPassword(hashed: string, password: string): Promise<boolean> {
  try {
    if (BCRYPT.test(hashed)) return await bcrypt.compare(password, hashed);
    return await verify(hashed, password);
  } catch {
    return false;
  }
}

/** True for a stored hash that the next successful sign-in replaces with argon2id (bcrypt, from an import). */
export const needsRehash = (hashed: string): boolean => !hashed.startsWith('$argon2id$');

let dummy: Promise<string> | undefined;
/** Spends the same time as a real check, so an unknown identity answers as slowly as a wrong password. */
export async function verifyAgainstNothing(password: string): Promise<false> {
  dummy ??= hashPassword('plinth-dummy-password-for-timing');
  await verifyPassword(await dummy, password);
  return false;
}

/** A fresh per-account token key; changing it revokes every token of the account. */
export const newTokenKey = (): string => randomBytes(24).toString('base64url');
