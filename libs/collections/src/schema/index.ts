export * from './collection.types.js';
export {
  normalizeCollection,
  DEFAULT_MAX_FILE_SIZE,
  MAX_FIELDS,
  MAX_FILE_OPTION_ITEMS,
  MAX_INDEX_FIELDS,
  MAX_INDEXES,
  MAX_PATTERN_LENGTH,
  MAX_RELATION_SELECT,
  MAX_SELECT_VALUE_LENGTH,
  MAX_SELECT_VALUES,
  MAX_THUMB_SIDE,
} from './normalize-collection.js';
export type { NormalizeOptions, NormalizeResult } from './normalize-collection.js';
export { canonicalJson, describeSchemaChange } from './describe-schema-change.js';
export type {
  FieldChange,
  FieldSummary,
  RuleChange,
  SchemaChange,
  ValueChange,
} from './describe-schema-change.js';
export { columnType, declaredIndexName, planSchemaChange, type ColumnCast } from './plan-schema-change.js';
export type { PlanResult } from './plan-schema-change.js';
export { quoteLiteral } from './quote-literal.js';
export { MFA_DURATION, OTP_DURATION, OTP_LENGTH } from './normalize-otp-mfa.js';
export {
  SEARCH_COLUMN,
  searchFieldsOf,
  searchLanguagesOf,
  searchSignature,
  searchVectorSql,
} from './search-column.js';
export { SCHEMA_CONFLICT_CODES, SCHEMA_ISSUE_CODES } from './schema-issue.js';
export type { SchemaIssue, SchemaIssueCode } from './schema-issue.js';
export { toFilterCollection, toFilterSchema } from './to-filter-schema.js';
export { fillMailLink, MAIL_LINK_KINDS, mailLinkTemplate, mailLinksIssues } from './normalize-mail-links.js';
export type { MailLinkKind, MailLinks } from './normalize-mail-links.js';
export { checkRule } from './check-rule.js';
export type { RuleCheck, RuleOperation } from './check-rule.js';
