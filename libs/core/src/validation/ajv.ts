import { Ajv2020, type Options } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { UUID_RE } from '../ids.js';

// ajv-formats ships CommonJS with a default export.
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

/** The option sets Plinth compiles JSON Schemas with; every set reports all errors and has ajv-formats. */
const OPTION_SETS = {
  /** Request bodies of the system routes (and the OpenAPI answers the tests check). */
  bodies: { allErrors: true, strict: false },
  /**
   * Record bodies: no coercion or defaults, own properties only, Unicode patterns, and a `uuid` format
   * PostgreSQL's uuid type takes (ajv-formats' own also takes `urn:uuid:…`, which it refuses).
   */
  records: {
    allErrors: true,
    strict: false,
    strictNumbers: true,
    coerceTypes: false,
    useDefaults: false,
    ownProperties: true,
    unicodeRegExp: true,
  },
} satisfies Record<string, Options>;

export type AjvOptionSet = keyof typeof OPTION_SETS;

/** A new ajv (JSON Schema 2020-12) with one of Plinth's option sets. */
export function createAjv(set: AjvOptionSet): Ajv2020 {
  const ajv = addFormats(new Ajv2020(OPTION_SETS[set]));
  if (set === 'records') ajv.addFormat('uuid', UUID_RE);
  return ajv;
}
