/**
 * The full-text search options text, editor and email fields share (`searchable`, `language`) and
 * the text field's `trigram` index (docs/decisions/search-and-aggregates.md).
 */
import type { FieldDraft, OptionsContext } from './field-type.js';
import { at } from './option-reader.js';
import type { Json } from './option-reader.js';

/** The option keys of a searchable type. */
export const SEARCH_OPTIONS = ['searchable', 'language'] as const;

/** A text search configuration's name as PostgreSQL's pg_ts_config has it (checked there on save). */
const LANGUAGE = /^[a-z_][a-z0-9_]{0,62}$/;

/** Without `language`, words are matched as written (PostgreSQL's `simple`: lower-cased, no stemming). */
export const DEFAULT_SEARCH_LANGUAGE = 'simple';

export function readSearchOptions(raw: Json, field: FieldDraft, { issues, path }: OptionsContext): void {
  const searchable = issues.bool(raw, 'searchable', path);
  const language = issues.string(raw, 'language', path);
  if (language !== undefined && !LANGUAGE.test(language)) {
    issues.add(
      at(path, 'language'),
      'INVALID_VALUE',
      `"language" must name a PostgreSQL text search configuration such as "simple", "english" or "german".`,
    );
    return;
  }
  if (!searchable) {
    if (language !== undefined)
      issues.add(
        at(path, 'language'),
        'OPTION_NOT_ALLOWED',
        '"language" applies to searchable fields only; set "searchable": true or remove "language".',
      );
    return;
  }
  if (field.hidden) {
    issues.add(
      at(path, 'searchable'),
      'OPTION_NOT_ALLOWED',
      'A hidden field cannot be searchable: a search would reveal what it holds. Remove "hidden" or "searchable".',
    );
    return;
  }
  field.searchable = true;
  field.language = language ?? DEFAULT_SEARCH_LANGUAGE;
}

export function readTrigramOption(raw: Json, field: FieldDraft, { issues, path }: OptionsContext): void {
  if (issues.bool(raw, 'trigram', path) === true) field.trigram = true;
}
