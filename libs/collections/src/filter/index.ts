export {
  compileFilter,
  compileRule,
  quoteIdent,
  validateRuleSyntax,
  MAX_RULE_DEPTH,
  TRUE,
  FALSE,
} from './compile-filter.js';
export { compileSort, MAX_SORT_FIELDS } from './compile-sort.js';
export { FilterError, FILTER_ERROR_CODES } from './filter-error.js';
export type { FilterErrorCode } from './filter-error.js';
export { parseFilter, FILTER_LIMITS } from './parse-filter.js';
export type * from './types.js';
export {
  checkSearchText,
  MAX_SEARCH_LENGTH,
  searchMatchSql,
  searchOf,
  searchQuerySql,
  searchRankSql,
} from './search-sql.js';
