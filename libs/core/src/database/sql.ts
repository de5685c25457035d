// SQL fragments that carry their own values (after sql-template-tag): composed freely, numbered
// `$1..$n` only once, when the statement is run. Nobody shares a positional parameter array.

/** A piece of SQL text with the values it binds; values that are fragments nest. */
export class Sql {
  /** Render pass that last numbered this fragment, and the text it got then (see `toQuery`). */
  private renderPass?: object;
  private renderedText?: string;

  constructor(
    /** Always one more than `values`. */
    readonly strings: readonly string[],
    readonly values: readonly unknown[],
  ) {}

  /** True for a fragment without values whose text is exactly `text` (e.g. the constant `TRUE`). */
  is(text: string): boolean {
    return this.values.length === 0 && this.strings.length === 1 && this.strings[0] === text;
  }

  /** @internal Appends this fragment's values to `out` and answers its text (see `toQuery`). */
  render(out: unknown[], pass: object): string {
    if (this.values.length === 0) return this.strings.join('');
    // The same fragment placed twice in one statement binds its values once.
    if (this.renderPass === pass) return this.renderedText!;
    let text = this.strings[0]!;
    for (let i = 0; i < this.values.length; i++) {
      const value = this.values[i];
      text += value instanceof Sql ? value.render(out, pass) : `$${out.push(value)}`;
      text += this.strings[i + 1]!;
    }
    this.renderPass = pass;
    this.renderedText = text;
    return text;
  }
}

/** `sql\`… ${value} …\``: every `${}` is a bound value, or a nested fragment. */
export function sql(strings: TemplateStringsArray | readonly string[], ...values: unknown[]): Sql {
  for (const value of values) {
    if (value === undefined) throw new TypeError('sql: a bound value is undefined; bind null instead.');
  }
  return new Sql(strings, values);
}

const EMPTY = new Sql([''], []);

/** Fragments separated by `separator` (fixed SQL text such as ', ' or ' AND '). */
sql.join = (parts: readonly Sql[], separator = ', '): Sql => {
  if (parts.length === 0) return EMPTY;
  if (parts.length === 1) return parts[0]!;
  const strings = new Array<string>(parts.length + 1).fill(separator);
  strings[0] = '';
  strings[parts.length] = '';
  return new Sql(strings, parts);
};

/** Trusted SQL text: fixed keywords and casts, or names already vetted and quoted. Never user input. */
sql.raw = (text: string): Sql => new Sql([text], []);

/** A schema identifier, quoted (`a"b` → `"a""b"`); several make a qualified name (`"data"."posts"`). */
sql.ident = (...names: string[]): Sql => new Sql([names.map(checkedIdent).join('.')], []);

/** The fragment with no text and no values. */
sql.empty = EMPTY;

/** Quotes an identifier that came from the schema (never from filter text): `a"b` → `"a""b"`. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** PostgreSQL cuts longer names silently (two fields could meet in one column); NUL it refuses. */
const MAX_IDENT_BYTES = 63;

function checkedIdent(name: string): string {
  if (name === '' || name.includes('\0') || Buffer.byteLength(name) > MAX_IDENT_BYTES) {
    throw new TypeError(
      `sql.ident: ${JSON.stringify(name.slice(0, 80))} cannot be an identifier (empty, NUL or over ${MAX_IDENT_BYTES} bytes).`,
    );
  }
  return quoteIdent(name);
}

/**
 * The statement as pg runs it: `$1..$n` in the order they appear, and their values. `after`: the
 * placeholders start at `$after+1`, for a fragment that goes into text with `after` values of its own.
 */
export function toQuery(statement: Sql, after = 0): { text: string; values: unknown[] } {
  const values: unknown[] = after > 0 ? new Array<unknown>(after) : [];
  const text = statement.render(values, {});
  return { text, values: after > 0 ? values.slice(after) : values };
}
