import { randomFillSync } from 'node:crypto';
import { v7 as uuidv7, validate, version } from 'uuid';

// uuid's own v7 draws its 16 random bytes through WebCrypto for every id (a getrandom syscall each,
// ~3 % of a create under load). Ids take them from a pool refilled every 256 ids instead, and keep
// the same monotonic sequence uuid keeps, so ids made in one millisecond still sort in order.
const POOL = new Uint8Array(16 * 256);
let poolAt = POOL.length;
const clock = { msecs: -Infinity, seq: 0 };

/** Record and system ids are UUIDv7: time-ordered, so inserts stay index-friendly. */
export const newId = (): string => {
  if (poolAt === POOL.length) {
    randomFillSync(POOL);
    poolAt = 0;
  }
  const random = POOL.subarray(poolAt, (poolAt += 16));
  const now = Date.now();
  if (now > clock.msecs) {
    // A new millisecond starts from a random sequence (uuid's v7Sequence).
    clock.seq = ((random[6]! & 0x7f) << 24) | (random[7]! << 16) | (random[8]! << 8) | random[9]!;
    clock.msecs = now;
  } else {
    clock.seq = (clock.seq + 1) | 0;
    if (clock.seq === 0) clock.msecs++;
  }
  return uuidv7({ random, msecs: clock.msecs, seq: clock.seq });
};

export const isUuid = (value: unknown): value is string => typeof value === 'string' && validate(value);

export const isUuidV7 = (value: unknown): value is string => isUuid(value) && version(value) === 7;

/**
 * Any UUID in canonical text form, whatever its version: what PostgreSQL's uuid type takes. For values
 * users bring (relation ids, imported records, filter operands); `isUuid` is for the ids Plinth made.
 */
export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuidText = (value: unknown): value is string =>
  typeof value === 'string' && UUID_RE.test(value);

/**
 * A record id of a text-id collection (PocketBase's, docs/decisions/text-ids.md): 1 to 100 letters,
 * digits, `_` or `-`, whatever the collection's pattern adds, as ids go into storage keys, URLs and topics.
 */
export const TEXT_ID_RE = /^[A-Za-z0-9_-]{1,100}$/;

export const isTextId = (value: unknown): value is string => typeof value === 'string' && TEXT_ID_RE.test(value);
