import { useEffect, useState } from 'react';
import { checkRule, type RuleCheck } from '../../api/client';
import { tokenAt } from './rule-language';

/** The editor's collection as the check endpoint reads it: only what rules can see. */
export interface CheckTarget {
  name: string;
  type: string;
  fields: unknown[];
}

/** Asks the server about a rule 400 ms after the last keystroke; the older question is cancelled. */
export function useRuleCheck(target: CheckTarget, rule: string | null, operation: string) {
  const [result, setResult] = useState<{ rule: string; check: RuleCheck } | null>(null);
  const key = JSON.stringify(target);
  useEffect(() => {
    if (rule === null || rule.trim() === '') return;
    const abort = new AbortController();
    const timer = setTimeout(() => {
      checkRule(JSON.parse(key) as CheckTarget, rule, operation, abort.signal)
        .then((check) => setResult({ rule, check }))
        .catch(() => undefined); // Offline or signed out: the save reports it.
    }, 400);
    return () => {
      clearTimeout(timer);
      abort.abort();
    };
  }, [key, rule, operation]);
  return rule !== null && rule.trim() !== '' && result?.rule === rule ? result.check : null;
}

/**
 * The rule with the problem's place marked, and the problem in words. `quiet`: the words are shown
 * already (the server refused the save with them), so only the place is marked.
 */
export function RuleProblem({
  rule,
  check,
  quiet = false,
}: {
  rule: string;
  check: RuleCheck | null;
  quiet?: boolean;
}) {
  if (!check) return null;
  if (check.ok) {
    return (
      <div className="rule-check rule-ok small" role="status">
        ✓ The rule is valid.{check.warnings.length ? ` ${check.warnings.join(' ')}` : ''}
      </div>
    );
  }
  const at = check.position ?? -1;
  const token = at >= 0 ? tokenAt(rule, at) : undefined;
  const end = token ? token.end : Math.min(at + 1, rule.length);
  return (
    <div className="rule-check rule-problem" role="alert">
      {at >= 0 ? (
        <pre className="mono rule-marked" aria-label={`Problem at character ${at + 1}`}>
          {rule.slice(0, at)}
          <mark>{rule.slice(at, end) || ' '}</mark>
          {rule.slice(end)}
        </pre>
      ) : null}
      {quiet ? null : (
        <span className="field-error">
          {at >= 0 && !/position \d+/.test(check.message ?? '') ? `At character ${at + 1}: ` : ''}
          {check.message}
        </span>
      )}
    </div>
  );
}
