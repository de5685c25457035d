import type { CollectionDef } from '@plinth/collections';

/** A file a record change added or removed: `<collection>.file.create` or `.file.delete`. */
export interface FileChange {
  kind: 'file.create' | 'file.delete';
  field: string;
  name: string;
}

/** The file event kinds a record change of `action` may carry. */
export function fileKinds(action: string): Array<FileChange['kind']> {
  if (action === 'create') return ['file.create'];
  if (action === 'delete') return ['file.delete'];
  return action === 'update' ? ['file.create', 'file.delete'] : [];
}

const names = (value: unknown): string[] =>
  (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string' && v !== '');

/**
 * The files a record change added and removed, field by field, from the record before and after it
 * (a create has nothing before, a delete nothing after): uploads first, then removals.
 */
export function fileChanges(
  def: Pick<CollectionDef, 'fields'>,
  action: string,
  record: Record<string, unknown>,
  previous?: Record<string, unknown>,
): FileChange[] {
  const before = action === 'create' ? {} : action === 'delete' ? record : (previous ?? {});
  const after = action === 'delete' ? {} : record;
  const added: FileChange[] = [];
  const removed: FileChange[] = [];
  for (const f of def.fields) {
    if (f.type !== 'file') continue;
    const was = new Set(names(before[f.name]));
    const now = new Set(names(after[f.name]));
    for (const name of now) if (!was.has(name)) added.push({ kind: 'file.create', field: f.name, name });
    for (const name of was) if (!now.has(name)) removed.push({ kind: 'file.delete', field: f.name, name });
  }
  return [...added, ...removed];
}
