import { useLayoutEffect, useRef, useState } from 'react';
import type { CollectionModel } from '@plinth/sdk';
import { Field } from '../../components/ui';
import { ruleValue, type RuleDraft } from './draft';
import { useRuleAutocomplete } from './rule-autocomplete';
import { RuleProblem, useRuleCheck, type CheckTarget } from './rule-check';
import { describeType } from './rule-language';
import { RULE_PRESETS } from './rule-presets';

const OPERATIONS: Record<string, string> = {
  listRule: 'list',
  viewRule: 'view',
  createRule: 'create',
  updateRule: 'update',
  deleteRule: 'delete',
};

/** One access rule: who, a preset, the expression with suggestions and a live check, the usable names. */
export function RuleEditor(props: {
  ruleKey: string;
  label: string;
  hint: string;
  rule: RuleDraft;
  error?: string;
  self: CollectionModel;
  target: CheckTarget;
  all: CollectionModel[];
  onChange: (rule: RuleDraft) => void;
}) {
  const { rule, ruleKey: key, label } = props;
  const ref = useRef<HTMLTextAreaElement>(null);
  const [caret, setCaret] = useState<number | null>(null);
  const setText = (expr: string, at: number) => {
    props.onChange({ ...rule, expr });
    setCaret(at);
  };
  const ac = useRuleAutocomplete(ref, props.self, props.all, setText);
  const check = useRuleCheck(props.target, rule.mode === 'rule' ? ruleValue(rule) : null, OPERATIONS[key]);
  useLayoutEffect(() => {
    if (caret === null || !ref.current) return;
    ref.current.focus();
    ref.current.setSelectionRange(caret, caret);
    setCaret(null);
  }, [caret]);

  const insert = (text: string) => {
    const el = ref.current;
    const at = el ? el.selectionStart : rule.expr.length;
    const end = el ? el.selectionEnd : at;
    setText(rule.expr.slice(0, at) + text + rule.expr.slice(end), at + text.length);
  };
  const usable = [
    ...props.self.fields.filter((f) => f.name).map((f) => ({ name: f.name, detail: describeType(f) })),
    { name: 'id', detail: 'system' },
    { name: '@request.auth.id', detail: 'signed-in user' },
    ...(['createRule', 'updateRule'].includes(key)
      ? props.self.fields
          .filter((f) => f.name)
          .map((f) => ({ name: `@request.body.${f.name}`, detail: 'sent value' }))
      : []),
    { name: '@now', detail: 'date' },
  ];
  const listId = `${key}-suggestions`;
  return (
    <div className="card rule" data-rule={key}>
      <div className="rule-head">
        <strong>{label}</strong>
        <select
          aria-label={`${label} access`}
          value={rule.mode}
          onChange={(e) => props.onChange({ ...rule, mode: e.target.value as RuleDraft['mode'] })}
        >
          <option value="admins">Admins only</option>
          <option value="anyone">Anyone, signed in or not</option>
          <option value="rule">Only when a rule matches</option>
        </select>
        <select
          aria-label={`${label} preset`}
          value=""
          onChange={(e) => {
            const made = RULE_PRESETS.find((p) => p.key === e.target.value)?.make(props.self, props.all);
            if (made && !('missing' in made)) props.onChange(made);
          }}
        >
          <option value="">Use a preset…</option>
          {RULE_PRESETS.map((p) => {
            const made = p.make(props.self, props.all);
            return (
              <option key={p.key} value={p.key} disabled={'missing' in made}>
                {'missing' in made ? `${p.label} (${made.missing})` : p.label}
              </option>
            );
          })}
        </select>
        <span className="muted small">{props.hint}</span>
      </div>
      {rule.mode === 'rule' ? (
        <div className="rule-body">
          <div className="rule-input">
            <Field label={`${label} rule`} error={props.error}>
              <textarea
                ref={ref}
                name={key}
                className="mono"
                rows={2}
                value={rule.expr}
                role="combobox"
                aria-autocomplete="list"
                aria-expanded={!!ac.open}
                aria-controls={listId}
                aria-activedescendant={ac.open ? `${listId}-${ac.open.active}` : undefined}
                spellCheck={false}
                onChange={(e) => {
                  props.onChange({ ...rule, expr: e.target.value });
                  ac.refresh(e.target.value, e.target.selectionStart);
                }}
                onKeyDown={ac.onKeyDown}
                onBlur={ac.close}
                placeholder="@request.auth.id != ''"
              />
            </Field>
            {ac.open ? (
              <ul
                className="suggestions"
                role="listbox"
                id={listId}
                aria-label={`Suggestions for the ${label} rule`}
              >
                {ac.open.items.map((s, i) => (
                  <li
                    key={s.insert}
                    id={`${listId}-${i}`}
                    role="option"
                    aria-selected={i === ac.open!.active}
                    onMouseDown={(e) => {
                      e.preventDefault();
                      ac.accept(s);
                    }}
                  >
                    <code>{s.insert}</code> <span className="muted small">{s.detail}</span>
                  </li>
                ))}
              </ul>
            ) : null}
            <RuleProblem rule={rule.expr} check={check} quiet={!!props.error} />
          </div>
          <aside className="rule-names" aria-label={`Fields you can use in the ${label} rule`}>
            <span className="field-label">Fields you can use</span>
            <span className="preset-buttons">
              {usable.map((u) => (
                <button
                  key={u.name}
                  type="button"
                  className="chip mono"
                  title={`Insert ${u.name} (${u.detail})`}
                  onClick={() => insert(u.name)}
                >
                  {u.name}
                </button>
              ))}
            </span>
            <span className="muted small">
              Type <code>@</code> for requests and dates, <code>.</code> after a relation, <code>:</code> for
              modifiers; Ctrl+Space lists all.
            </span>
          </aside>
        </div>
      ) : props.error ? (
        <span className="field-error">{props.error}</span>
      ) : null}
    </div>
  );
}
