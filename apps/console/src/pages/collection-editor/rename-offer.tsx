import { Button } from '../../components/ui';
import { RULES, type Draft, type RuleKey } from './draft';
import { renameInRule, ruleUses } from './rule-language';

interface Rename {
  from: string;
  to: string;
  rules: string[];
}

/** Renamed fields that rules still name by their old name. */
export function pendingRenames(draft: Draft): Rename[] {
  const out: Rename[] = [];
  for (const f of draft.fields) {
    if (!f.id || !f._original || !f.name || f._original === f.name) continue;
    const rules = RULES.filter((r) => draft.rules[r.key].mode === 'rule')
      .filter((r) => ruleUses(draft.rules[r.key].expr, draft.name, f._original!))
      .map((r) => r.label.toLowerCase());
    if (rules.length) out.push({ from: f._original, to: f.name, rules });
  }
  return out;
}

/** Every rule with the renamed fields' new names: identifiers only, string values unchanged. */
export function applyRenames(draft: Draft, renames: Rename[]): Draft['rules'] {
  const rules = { ...draft.rules };
  for (const r of RULES) {
    let expr = rules[r.key].expr;
    for (const x of renames) expr = renameInRule(expr, draft.name, x.from, x.to);
    rules[r.key as RuleKey] = { ...rules[r.key], expr };
  }
  return rules;
}

/** Offers to rewrite the rules after a rename, which the server would otherwise refuse as an unknown field. */
export function RenameOffer(props: { draft: Draft; onRewrite: (rules: Draft['rules']) => void }) {
  const renames = pendingRenames(props.draft);
  if (!renames.length) return null;
  return (
    <div className="banner banner-warn" role="status" data-testid="rename-offer">
      <span>
        {renames.map((x) => (
          <span key={x.from}>
            The {x.rules.join(', ')} {x.rules.length > 1 ? 'rules still name' : 'rule still names'}{' '}
            <code>{x.from}</code>, which you renamed to <code>{x.to}</code>.{' '}
          </span>
        ))}
        Saving refuses rules that name a field that no longer exists.
      </span>
      <Button small kind="primary" onClick={() => props.onRewrite(applyRenames(props.draft, renames))}>
        Rewrite the rules
      </Button>
    </div>
  );
}
