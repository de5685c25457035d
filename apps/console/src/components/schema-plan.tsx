import type { ReactNode } from 'react';
import type { SchemaChange } from '@plinth/sdk';
import { DataLossWarning } from './data-loss-warning';
import { YesNo } from './yes-no';
import './extras.css';

const RULE_LABELS: Record<string, string> = {
  listRule: 'List rule',
  viewRule: 'View rule',
  createRule: 'Create rule',
  updateRule: 'Update rule',
  deleteRule: 'Delete rule',
  authRule: 'Sign-in rule',
  manageRule: 'Manage rule',
};

/** A rule as words: null is admins only, "" is anyone. */
export function RuleText({ rule }: { rule: string | null | undefined }) {
  if (rule === null || rule === undefined) return <em>admins only</em>;
  if (rule === '') return <em>anyone</em>;
  return <code>{rule}</code>;
}

/** An option value: booleans as Yes/No, absent as "not set", lists joined, objects as JSON. */
export function OptionValue({ value }: { value: unknown }) {
  if (value === undefined || value === null || value === '') return <em>not set</em>;
  if (typeof value === 'boolean') return <YesNo value={value} />;
  if (Array.isArray(value) && value.every((v) => typeof v !== 'object'))
    return <code>{value.join(', ')}</code>;
  if (typeof value === 'object') return <code>{JSON.stringify(value)}</code>;
  return <code>{String(value)}</code>;
}

function FromTo(props: { from: ReactNode; to: ReactNode }) {
  return (
    <>
      <span className="diff-old">{props.from}</span> → {props.to}
    </>
  );
}

const indexText = (ix: { fields: string[]; unique?: boolean }) =>
  `(${ix.fields.join(', ')})${ix.unique ? ' unique' : ''}`;

function ChangeLines({ change: c }: { change: SchemaChange }) {
  const lines: ReactNode[] = [];
  if (c.action === 'delete') {
    lines.push(
      <li key="gone" className="diff-remove">
        The collection, all its records and their files are deleted (fields{' '}
        {c.removed.map((f) => f.name).join(', ') || 'none'}).
      </li>,
    );
    return <ul className="diff-lines">{lines}</ul>;
  }
  if (c.previousName)
    lines.push(
      <li key="renamed" className="diff-change">
        Renamed from <strong>{c.previousName}</strong>
      </li>,
    );
  for (const f of c.added)
    lines.push(
      <li key={`add-${f.name}`} className="diff-add" data-kind="added">
        + field <strong>{f.name}</strong> ({f.type})
        {c.action === 'update' ? ': added, empty in existing records' : ''}
      </li>,
    );
  for (const f of c.removed)
    lines.push(
      <li key={`rm-${f.name}`} className="diff-remove" data-kind="removed">
        − field <strong>{f.name}</strong> ({f.type}): removed, the data is deleted from every record
      </li>,
    );
  for (const f of c.changed)
    lines.push(
      <li key={`ch-${f.name}`} className="diff-change" data-kind="changed">
        ~ field <strong>{f.name}</strong> ({f.type})
        {f.previousName ? <>, renamed from {f.previousName}</> : null}
        {f.changes.map((x) => (
          <span key={x.key}>
            ; {x.key}: <FromTo from={<OptionValue value={x.from} />} to={<OptionValue value={x.to} />} />
          </span>
        ))}
      </li>,
    );
  for (const r of c.rules)
    lines.push(
      <li key={`rule-${r.rule}`} className="diff-change" data-kind="rule">
        {RULE_LABELS[r.rule] ?? r.rule}:{' '}
        {'from' in r ? (
          <FromTo from={<RuleText rule={r.from} />} to={<RuleText rule={r.to} />} />
        ) : (
          <RuleText rule={r.to} />
        )}
      </li>,
    );
  for (const ix of c.indexes.added)
    lines.push(
      <li key={`ixa-${indexText(ix)}`} className="diff-add" data-kind="index">
        + index {indexText(ix)}
      </li>,
    );
  for (const ix of c.indexes.removed)
    lines.push(
      <li key={`ixr-${indexText(ix)}`} className="diff-remove" data-kind="index">
        − index {indexText(ix)} (the data stays)
      </li>,
    );
  for (const o of c.options)
    lines.push(
      <li key={`opt-${o.key}`} className="diff-change" data-kind="option">
        {o.key}: <FromTo from={<OptionValue value={o.from} />} to={<OptionValue value={o.to} />} />
      </li>,
    );
  if (c.reordered)
    lines.push(
      <li key="order" className="muted">
        Fields reordered
      </li>,
    );
  return lines.length ? <ul className="diff-lines">{lines}</ul> : null;
}

const ACTION: Record<SchemaChange['action'], { label: string; badge: string }> = {
  create: { label: 'new collection', badge: 'badge badge-ok' },
  update: { label: 'changed', badge: 'badge' },
  delete: { label: 'deleted', badge: 'badge badge-danger' },
};

/** The import preview: what each collection gains, loses and changes, with a warning for lost data. */
export function SchemaPlan({ plan }: { plan: SchemaChange[] }) {
  const lostFields = plan
    .filter((c) => c.action === 'update')
    .flatMap((c) => c.removed.map((f) => `${c.collection}.${f.name}`));
  const lostCollections = plan.filter((c) => c.action === 'delete').map((c) => c.collection);
  return (
    <>
      <DataLossWarning fields={lostFields} collections={lostCollections} verb="Applying" />
      <ul className="diff" data-testid="schema-plan">
        {plan.map((c) => (
          <li key={`${c.action}-${c.collection}`} data-collection={c.collection} data-action={c.action}>
            <div className="diff-head">
              <strong>{c.collection}</strong>
              <span className={ACTION[c.action].badge}>{ACTION[c.action].label}</span>
            </div>
            <ChangeLines change={c} />
          </li>
        ))}
      </ul>
    </>
  );
}
