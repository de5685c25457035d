import type { FieldModel } from '@plinth/sdk';
import { Field } from '../../components/ui';
import { FileOptions } from './file-options';
import { CheckOption, ListOption, NumberOption, type OptionsProps } from './option-inputs';

/** PostgreSQL's built-in text search configurations; the server checks the name against pg_ts_config. */
const SEARCH_LANGUAGES = [
  'simple',
  'arabic',
  'armenian',
  'basque',
  'catalan',
  'danish',
  'dutch',
  'english',
  'finnish',
  'french',
  'german',
  'greek',
  'hindi',
  'hungarian',
  'indonesian',
  'irish',
  'italian',
  'lithuanian',
  'nepali',
  'norwegian',
  'portuguese',
  'romanian',
  'russian',
  'serbian',
  'spanish',
  'swedish',
  'tamil',
  'turkish',
  'yiddish',
];

/**
 * Full-text search of text, editor and email fields (`?search=`, `search()` in rules), and the
 * trigram index of text fields that makes `~` fast on large tables.
 */
function SearchOptions(props: OptionsProps) {
  const f = props.field;
  const language = typeof f.language === 'string' ? f.language : 'simple';
  return (
    <>
      <label className="check">
        <input
          type="checkbox"
          checked={!!f.searchable}
          onChange={(e) =>
            props.onChange(
              e.target.checked
                ? { searchable: true, language }
                : { searchable: undefined, language: undefined },
            )
          }
        />{' '}
        searchable (full-text search with ?search=)
      </label>
      {f.searchable ? (
        <Field
          label="Search language"
          error={props.err('language')}
          hint="Words are stemmed in this language; simple matches words as written"
        >
          <select value={language} onChange={(e) => props.onChange({ language: e.target.value })}>
            {(SEARCH_LANGUAGES.includes(language) ? SEARCH_LANGUAGES : [language, ...SEARCH_LANGUAGES]).map(
              (l) => (
                <option key={l} value={l}>
                  {l}
                </option>
              ),
            )}
          </select>
        </Field>
      ) : null}
      {f.type === 'text' ? (
        <CheckOption
          {...props}
          option="trigram"
          label="trigram index (fast ~ on large tables; needs pg_trgm)"
        />
      ) : null}
    </>
  );
}

/** Options of a text field: length and pattern. */
function TextOptions(props: OptionsProps) {
  return (
    <>
      <NumberOption {...props} option="min" label="Min length" />
      <NumberOption {...props} option="max" label="Max length" />
      <Field label="Pattern (regular expression)" error={props.err('pattern')}>
        <input
          className="mono"
          value={props.field.pattern ?? ''}
          onChange={(e) => props.onChange({ pattern: e.target.value || undefined })}
        />
      </Field>
    </>
  );
}

function NumberOptions(props: OptionsProps) {
  return (
    <>
      <NumberOption {...props} option="min" label="Min" />
      <NumberOption {...props} option="max" label="Max" />
      <CheckOption {...props} option="onlyInt" label="integers only" />
    </>
  );
}

function SelectOptions(props: OptionsProps) {
  return (
    <>
      <ListOption {...props} option="values" label="Values (comma separated)" placeholder="draft, live" />
      <NumberOption {...props} option="maxSelect" label="Max selected" hint="1 = one value; more = a list" />
    </>
  );
}

function RelationOptions(props: OptionsProps & { collections: string[] }) {
  const f = props.field;
  return (
    <>
      <Field label="Collection" error={props.err('collection')}>
        <select
          value={f.collection ?? ''}
          onChange={(e) => props.onChange({ collection: e.target.value || undefined })}
        >
          <option value="">Choose…</option>
          {props.collections.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
      </Field>
      <NumberOption {...props} option="maxSelect" label="Max related" hint="1 = one record; more = a list" />
      <Field label="When the related record is deleted" error={props.err('onDelete')}>
        <select
          value={f.onDelete ?? 'set-null'}
          onChange={(e) => props.onChange({ onDelete: e.target.value as FieldModel['onDelete'] })}
        >
          <option value="set-null">clear this field</option>
          <option value="cascade">delete this record too</option>
          <option value="restrict">refuse the delete</option>
        </select>
      </Field>
    </>
  );
}

/** PocketBase's editor: the size limit, and its dashboard's link option (kept for PocketBase apps). */
function EditorOptions(props: OptionsProps) {
  return (
    <>
      <NumberOption {...props} option="maxSize" label="Max size (bytes)" hint="Default 5 MiB" />
      <CheckOption {...props} option="convertURLs" label="convert URLs (PocketBase editor setting)" />
    </>
  );
}

/** When the server sets an autodate field. */
function AutodateOptions(props: OptionsProps) {
  return (
    <>
      <CheckOption {...props} option="onCreate" label="set when a record is created" />
      <CheckOption {...props} option="onUpdate" label="set when a record is updated" />
    </>
  );
}

/** Options shown for each field type, in an order every type shares: its own, then unique and hidden. */
export function TypeOptions(props: OptionsProps & { collections: string[] }) {
  const t = props.field.type;
  return (
    <>
      {t === 'text' ? <TextOptions {...props} /> : null}
      {t === 'number' ? <NumberOptions {...props} /> : null}
      {t === 'select' ? <SelectOptions {...props} /> : null}
      {t === 'relation' ? <RelationOptions {...props} /> : null}
      {t === 'file' ? <FileOptions {...props} /> : null}
      {t === 'editor' ? <EditorOptions {...props} /> : null}
      {t === 'autodate' ? <AutodateOptions {...props} /> : null}
      {t === 'text' || t === 'editor' || t === 'email' ? <SearchOptions {...props} /> : null}
      <CheckOption {...props} option="unique" label="unique" />
      <CheckOption {...props} option="hidden" label="hidden (only admins see it)" />
    </>
  );
}

/** Options that have their own input above; others' problems are listed under the options. */
export const OPTIONS_WITH_INPUTS = [
  'name',
  'type',
  'min',
  'max',
  'pattern',
  'values',
  'maxSelect',
  'collection',
  'onDelete',
  'maxSize',
  'mimeTypes',
  'thumbs',
  'convertURLs',
  'onCreate',
  'onUpdate',
  'searchable',
  'language',
  'trigram',
];
