/** The subset of JSON Schema 2020-12 (OpenAPI 3.1) the record schemas use. */
export type JSONType = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array' | 'null';

/** The subset of JSON Schema 2020-12 these builders emit, plus `x-` extensions. */
export interface JSONSchema {
  title?: string;
  description?: string;
  type?: JSONType | JSONType[];
  properties?: Record<string, JSONSchema>;
  required?: string[];
  additionalProperties?: boolean | JSONSchema;
  items?: JSONSchema;
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  anyOf?: JSONSchema[];
  not?: JSONSchema;
  if?: JSONSchema;
  then?: JSONSchema;
  default?: unknown;
  readOnly?: boolean;
  writeOnly?: boolean;
  /** Set on hidden fields: the caller strips them for everyone but admins. */
  'x-hidden'?: boolean;
  [keyword: string]: unknown;
}
