import type { FieldModel } from '@plinth/sdk';
import { formatBytes, MIME_PRESETS, mimePresetsOf } from './file-sizes';

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** One line for a collapsed field row: `file · images · max 5 MB · 3 thumbs`. */
export function summarizeField(f: FieldModel): string {
  const parts: string[] = [f.type];
  if (f.type === 'relation') parts[0] = f.collection ? `relation → ${f.collection}` : 'relation';
  if (f.required) parts.push('required');
  if (f.type === 'text') {
    if (f.min !== undefined) parts.push(`min ${f.min} chars`);
    if (f.max !== undefined) parts.push(`max ${f.max} chars`);
    if (f.pattern) parts.push('pattern');
  }
  if (f.type === 'number') {
    if (f.onlyInt) parts.push('integers');
    if (f.min !== undefined) parts.push(`min ${f.min}`);
    if (f.max !== undefined) parts.push(`max ${f.max}`);
  }
  if (f.type === 'select') {
    parts.push(plural(f.values?.length ?? 0, 'value'));
    if ((f.maxSelect ?? 1) > 1) parts.push(`up to ${f.maxSelect}`);
  }
  if (f.type === 'relation' && (f.maxSelect ?? 1) > 1) parts.push(`up to ${f.maxSelect}`);
  if (f.type === 'file') {
    const types = f.mimeTypes ?? [];
    const presets = mimePresetsOf(types);
    const covered = new Set<string>(
      MIME_PRESETS.filter((p) => presets.includes(p.key)).flatMap((p) => p.types),
    );
    const rest = types.filter((t) => !covered.has(t));
    if (presets.length || rest.length) parts.push([...presets, ...rest].join(', '));
    else parts.push('any type');
    if ((f.maxSelect ?? 1) > 1) parts.push(`up to ${f.maxSelect} files`);
    if (f.maxSize) parts.push(`max ${formatBytes(f.maxSize)}`);
    if (f.thumbs?.length) parts.push(plural(f.thumbs.length, 'thumb'));
    if (f.protected) parts.push('protected');
  }
  if (f.type === 'editor' && f.maxSize) parts.push(`max ${formatBytes(f.maxSize)}`);
  if (f.type === 'autodate') {
    const when = [f.onCreate !== false ? 'on create' : '', f.onUpdate ? 'on update' : ''].filter(Boolean);
    parts.push(`set ${when.join(' and ')}`);
  }
  if (f.searchable) parts.push(`searchable (${f.language ?? 'simple'})`);
  if (f.trigram) parts.push('trigram index');
  if (f.unique) parts.push('unique');
  if (f.hidden) parts.push('hidden');
  return parts.join(' · ');
}
