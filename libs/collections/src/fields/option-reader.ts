/**
 * Reads untrusted JSON options and collects every problem with its dotted path: the helpers the
 * collection normaliser and each field type's options share.
 */
import { jsonTypeOf, type SchemaIssue, type SchemaIssueCode, show } from '../schema/schema-issue.js';

export type Json = Record<string, unknown>;

export function isPlainObject(value: unknown): value is Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** An own property; undefined counts as absent (JSON never produces it). */
export function get(obj: Json, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined;
}

export const at = (path: string, key: string | number): string =>
  path === '' ? String(key) : `${path}.${key}`;

export const list = (items: readonly string[]): string => items.join(', ');

export class Issues {
  readonly all: SchemaIssue[] = [];

  add(path: string, code: SchemaIssueCode, message: string): void {
    this.all.push({ path, code, message });
  }

  get count(): number {
    return this.all.length;
  }

  unknownKeys(obj: Json, path: string, allowed: ReadonlySet<string>, what: string): void {
    for (const key of Object.keys(obj)) {
      if (obj[key] === undefined || allowed.has(key)) continue;
      this.add(
        at(path, key),
        'UNKNOWN_KEY',
        `Unknown key ${show(key)}. ${what} may have: ${list([...allowed])}.`,
      );
    }
  }

  bool(obj: Json, key: string, path: string): boolean | undefined {
    const value = get(obj, key);
    if (value === undefined || typeof value === 'boolean') return value;
    this.add(at(path, key), 'INVALID_TYPE', `"${key}" must be true or false, not ${jsonTypeOf(value)}.`);
    return undefined;
  }

  /** A whole number from `min` to `max`. */
  int(obj: Json, key: string, path: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
    const value = get(obj, key);
    if (value === undefined) return undefined;
    const p = at(path, key);
    if (typeof value !== 'number') {
      this.add(p, 'INVALID_TYPE', `"${key}" must be a whole number, not ${jsonTypeOf(value)}.`);
    } else if (!Number.isInteger(value)) {
      this.add(p, 'INVALID_VALUE', `"${key}" must be a whole number; ${value} is not.`);
    } else if (value < min || value > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `${min} or more` : `from ${min} to ${max}`;
      this.add(p, 'OUT_OF_RANGE', `"${key}" must be ${range}; ${value} is out of range.`);
    } else {
      return value;
    }
    return undefined;
  }

  number(obj: Json, key: string, path: string): number | undefined {
    const value = get(obj, key);
    if (value === undefined) return undefined;
    if (typeof value === 'number' && Number.isFinite(value)) return value;
    this.add(at(path, key), 'INVALID_TYPE', `"${key}" must be a number, not ${jsonTypeOf(value)}.`);
    return undefined;
  }

  string(obj: Json, key: string, path: string): string | undefined {
    const value = get(obj, key);
    if (value === undefined || typeof value === 'string') return value;
    this.add(at(path, key), 'INVALID_TYPE', `"${key}" must be a string, not ${jsonTypeOf(value)}.`);
    return undefined;
  }

  /** An array of distinct strings; `check` returns an entry's problem, or null when it is fine. */
  stringList(
    obj: Json,
    key: string,
    path: string,
    limits: { min: number; max: number },
    check: (item: string) => [SchemaIssueCode, string] | null,
  ): string[] | undefined {
    const value = get(obj, key);
    if (value === undefined) return undefined;
    const p = at(path, key);
    if (!Array.isArray(value)) {
      this.add(p, 'INVALID_TYPE', `"${key}" must be an array of strings, not ${jsonTypeOf(value)}.`);
      return undefined;
    }
    const before = this.count;
    if (value.length < limits.min || value.length > limits.max) {
      const range = limits.min === 0 ? `at most ${limits.max}` : `${limits.min} to ${limits.max}`;
      this.add(p, 'OUT_OF_RANGE', `"${key}" must list ${range} entries; it has ${value.length}.`);
    }
    const seen = new Set<string>();
    value.forEach((item: unknown, i) => {
      const itemPath = at(p, i);
      if (typeof item !== 'string') {
        this.add(
          itemPath,
          'INVALID_TYPE',
          `Each entry of "${key}" must be a string, not ${jsonTypeOf(item)}.`,
        );
      } else if (seen.has(item)) {
        this.add(itemPath, 'DUPLICATE_VALUE', `${show(item)} is listed twice in "${key}"; list it once.`);
      } else {
        seen.add(item);
        const problem = check(item);
        if (problem) this.add(itemPath, ...problem);
      }
    });
    return this.count === before ? (value as string[]).slice() : undefined;
  }
}
