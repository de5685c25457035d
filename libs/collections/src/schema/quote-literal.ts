/**
 * Renders a value as a PostgreSQL literal for DDL, where bound parameters cannot be used.
 * Strings follow PostgreSQL's own quote_literal(): quotes doubled, and backslashes doubled
 * inside an E'' string, so the result is the same whatever standard_conforming_strings says.
 */
export function quoteLiteral(value: string | number | boolean | null): string {
  if (value === null) return 'NULL';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`quoteLiteral: ${value} has no SQL literal`);
    // Parenthesised so that `DEFAULT -1` or `x - -1` never reads as an operator sequence.
    return value < 0 ? `(${String(value)})` : String(value);
  }
  if (typeof value !== 'string') throw new TypeError(`quoteLiteral: unsupported ${typeof value}`);
  if (value.includes('\u0000'))
    throw new TypeError('quoteLiteral: PostgreSQL text cannot hold a NUL character');
  const quoted = value.replace(/'/g, "''");
  return value.includes('\\') ? `E'${quoted.replace(/\\/g, '\\\\')}'` : `'${quoted}'`;
}
