import { Field } from '../../components/ui';
import type { Draft, Errs } from './draft';

export type Tab = 'fields' | 'rules' | 'indexes' | 'auth';

/** Name and kind of the collection. */
export function EditorHead(props: {
  draft: Draft;
  errs: Errs;
  locked: boolean;
  onChange: (patch: Partial<Draft>) => void;
}) {
  const { draft, errs } = props;
  return (
    <div className="card grid-2">
      <Field label="Name" hint="Lowercase letters, digits and _; it is the URL of the API." error={errs.name}>
        <input
          name="name"
          value={draft.name}
          onChange={(e) => props.onChange({ name: e.target.value })}
          placeholder="posts"
        />
      </Field>
      <Field
        label="Type"
        error={errs.type}
        hint={
          draft.type === 'auth'
            ? 'Adds email, password and verification.'
            : draft.type === 'view'
              ? 'Read-only records from a SQL query over your collections.'
              : 'Plain records.'
        }
      >
        <select
          value={draft.type}
          disabled={props.locked}
          onChange={(e) => props.onChange({ type: e.target.value as Draft['type'] })}
        >
          <option value="base">base</option>
          <option value="auth">auth (users who sign in)</option>
          <option value="view">view (read-only, from a SQL query)</option>
        </select>
      </Field>
    </div>
  );
}

/** The editor's tabs; a dot marks a tab with a problem. */
export function Tabs(props: { draft: Draft; errs: Errs; tab: Tab; onTab: (t: Tab) => void }) {
  const { draft, errs, tab } = props;
  const tabs: Tab[] =
    draft.type === 'auth'
      ? ['fields', 'rules', 'indexes', 'auth']
      : draft.type === 'view'
        ? ['fields', 'rules']
        : ['fields', 'rules', 'indexes'];
  const has = (t: Tab) => {
    const paths = Object.keys(errs);
    if (t === 'rules') return paths.some((p) => p.endsWith('Rule'));
    if (t === 'fields' && draft.type === 'view') return paths.includes('viewQuery');
    return paths.some((p) => (t === 'auth' ? /^(oauth2|otp|mfa)\b/.test(p) : p.startsWith(t)));
  };
  const label = (t: Tab) =>
    t === 'fields'
      ? draft.type === 'view'
        ? `Query and fields (${draft.fields.length})`
        : `Fields (${draft.fields.length})`
      : t === 'rules'
        ? 'Rules'
        : t === 'indexes'
          ? 'Indexes'
          : 'Sign-in';
  return (
    <div className="tabs" role="tablist">
      {tabs.map((t) => (
        <button
          key={t}
          type="button"
          role="tab"
          aria-selected={tab === t}
          className={tab === t ? 'tab active' : 'tab'}
          onClick={() => props.onTab(t)}
        >
          {label(t)}
          {has(t) ? <span className="dot" /> : null}
        </button>
      ))}
    </div>
  );
}
