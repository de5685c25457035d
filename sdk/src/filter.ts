/** A value `client.filter()` can bind into an expression. */
export type FilterValue = string | number | boolean | null | undefined | Date | readonly unknown[] | object;

/** Writes a number the filter lexer reads back exactly (it knows no exponent form). */
function numberLiteral(n: number): string {
  if (!Number.isFinite(n)) throw new TypeError(`filter: ${n} cannot be used in a filter.`);
  if (Object.is(n, -0)) return '0';
  const s = String(n);
  const m = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/i.exec(s);
  if (!m) return s;
  // Shift the decimal point of the mantissa by the exponent: 1.5e-7 → 0.00000015, 1e+21 → 1000…0.
  const [, sign, int, frac = '', exp] = m;
  const digits = int + frac;
  const point = int.length + Number(exp);
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return sign + digits + '0'.repeat(point - digits.length);
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** A single-quoted string literal: the lexer treats `\'` and `\\` as escapes, nothing else. */
function stringLiteral(s: string): string {
  if (s.includes('\0')) throw new TypeError('filter: a string value may not contain a NUL character.');
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** The filter-language literal for one value. */
export function filterLiteral(value: FilterValue): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return numberLiteral(value);
  if (typeof value === 'bigint') return (value as bigint).toString();
  if (typeof value === 'string') return stringLiteral(value);
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new TypeError('filter: an invalid Date cannot be used.');
    return stringLiteral(value.toISOString());
  }
  // Arrays and objects compare as their JSON text (PocketBase does the same).
  return stringLiteral(JSON.stringify(value));
}

/**
 * Binds `{:name}` placeholders to values, escaping them, so that user input can never change the
 * expression: `filter('title = {:t} && views > {:v}', { t: "it's", v: 10 })` →
 * `title = 'it\'s' && views > 10`. A placeholder without a value throws.
 */
export function bindFilter(expression: string, params: Record<string, FilterValue> = {}): string {
  return expression.replace(/\{:([A-Za-z0-9_]+)\}/g, (_match, name: string) => {
    if (!Object.prototype.hasOwnProperty.call(params, name)) {
      throw new TypeError(`filter: no value given for {:${name}}.`);
    }
    return filterLiteral(params[name]);
  });
}
