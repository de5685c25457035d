export {
  buildRecordSchemas,
  describeField,
  modifierKey,
  parseModifierKey,
  AUTH_CREATE_KEYS,
  AUTH_UPDATE_KEYS,
  DATE_PATTERN,
  EMAIL_MAX_LENGTH,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  URL_PATTERN,
} from './record-schemas.js';
export type { JSONSchema, JSONType, ModifierOp, RecordSchemas } from './record-schemas.js';
export {
  compileRecordValidators,
  normalizeDate,
  MAX_JSON_DEPTH,
  MAX_REPORTED_ERRORS,
  RECORD_ERROR_CODES,
} from './record-validator.js';
export type {
  RecordErrorCode,
  RecordFieldError,
  RecordValidators,
  UpdateOptions,
  ValidationResult,
} from './record-validator.js';
