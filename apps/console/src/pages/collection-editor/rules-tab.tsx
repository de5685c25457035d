import type { CollectionModel } from '@plinth/sdk';
import { RULES, type Draft, type Errs, type RuleKey, type RuleDraft } from './draft';
import { RuleEditor } from './rule-editor';

/** The five access rules, each with its own editor. */
export function RulesTab(props: {
  draft: Draft;
  self: CollectionModel;
  all: CollectionModel[];
  errs: Errs;
  onChange: (key: RuleKey, rule: RuleDraft) => void;
}) {
  const { self } = props;
  // Only what rules see of the collection goes to the check, so typing elsewhere does not re-check.
  const target = {
    name: self.name,
    type: self.type,
    fields: self.fields.map((f) => ({
      id: f.id,
      name: f.name,
      type: f.type,
      collection: f.collection,
      maxSelect: f.maxSelect,
      hidden: f.hidden,
    })),
  };
  return (
    <div className="stack">
      <p className="muted">
        Admins and admin API keys always have access. A rule is a filter over the record and{' '}
        <code>@request.auth.*</code>, e.g. <code>author = @request.auth.id</code> or{' '}
        <code>status = 'live' || @request.auth.id != ''</code>.
      </p>
      {props.draft.type === 'view' ? (
        <p className="muted">A view is read-only: only its list and view rules apply.</p>
      ) : null}
      {RULES.filter((r) => props.draft.type !== 'view' || r.key === 'listRule' || r.key === 'viewRule').map(
        (r) => (
          <RuleEditor
            key={r.key}
            ruleKey={r.key}
            label={r.label}
            hint={r.hint}
            rule={props.draft.rules[r.key]}
            error={props.errs[r.key]}
            self={self}
            target={target}
            all={props.all}
            onChange={(rule) => props.onChange(r.key, rule)}
          />
        ),
      )}
    </div>
  );
}
