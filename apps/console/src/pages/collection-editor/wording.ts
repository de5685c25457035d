import { PlinthError } from '@plinth/sdk';
import { describeError, errorsByPath } from '../../api/client';
import { RULES, type Errs } from './draft';

const OPTION_LABELS: Record<string, string> = {
  name: 'name',
  type: 'type',
  min: 'min',
  max: 'max',
  pattern: 'pattern',
  values: 'values',
  maxSelect: 'max selected',
  collection: 'collection',
  onDelete: 'on delete',
  maxSize: 'max size',
  mimeTypes: 'allowed types',
  thumbs: 'thumbnails',
  fields: 'fields',
};

/** The server counts fields and indexes from 0 (they are array positions); people count from 1. */
export function countFromOne(message: string): string {
  return message.replace(
    /\b([Ff]ield|[Ii]ndex) (\d+)\b/g,
    (_, word: string, n: string) => `${word} ${Number(n) + 1}`,
  );
}

/** `fields.5.name` → `Field 6 (name)`, `indexes.0` → `Index 1`, `listRule` → `List rule`. */
export function labelOfPath(path: string): string {
  const m = /^(fields|indexes)\.(\d+)(?:\.([^.]+))?/.exec(path);
  if (m) {
    const what = `${m[1] === 'fields' ? 'Field' : 'Index'} ${Number(m[2]) + 1}`;
    return m[3] ? `${what} (${OPTION_LABELS[m[3]] ?? m[3]})` : what;
  }
  if (path === 'viewQuery') return 'SQL query';
  const rule = RULES.find((r) => r.key === path);
  if (rule) return `${rule.label} rule`;
  return path;
}

/** Problems by path, with messages counting from one. */
export function editorErrors(err: unknown): Errs {
  const out: Errs = {};
  for (const [path, message] of Object.entries(errorsByPath(err))) out[path] = countFromOne(message);
  return out;
}

/** The banner's sentence: each problem named by what a person sees (`Field 6 (name): ...`). */
export function describeEditorError(err: unknown): string {
  if (!(err instanceof PlinthError) || err.errors.length === 0) return describeError(err);
  const sentence = (m: string) => (/[.!?]$/.test(m) ? m : `${m}.`);
  const lines = err.errors.map((e) => `${labelOfPath(e.path)}: ${sentence(countFromOne(e.message))}`);
  const count = err.errors.length === 1 ? 'One problem' : `${err.errors.length} problems`;
  return `${count} to fix before saving. ${lines.join(' ')}`;
}
