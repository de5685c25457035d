import type { ImportNote } from './pb-fields.js';

export interface CollectionReport {
  name: string;
  id: string;
  type: string;
  /** `imported` (or `planned` in a dry run), or `skipped` with the reason in `skipped`. */
  status: 'imported' | 'planned' | 'skipped';
  skipped?: string;
  records: number;
  files: number;
  notes: ImportNote[];
}

export interface ImportReport {
  dryRun: boolean;
  source: string;
  collections: CollectionReport[];
  admins: { imported: number; skipped: Array<{ email: string; why: string }> };
  externalAuths: { imported: number; skipped: number };
  settings: ImportNote[];
  /** Notes that belong to no single collection. */
  notes: ImportNote[];
}

const line = (n: ImportNote) => `    - ${n.kind}: ${n.what} — ${n.why}`;

/** The report as a person reads it on a terminal. */
export function formatReport(r: ImportReport): string {
  const out: string[] = [
    r.dryRun
      ? `Dry run of the PocketBase import from ${r.source}: nothing was changed. This is what an import would do:`
      : `Imported the PocketBase app from ${r.source}.`,
    '',
    'Collections:',
  ];
  for (const c of r.collections) {
    if (c.status === 'skipped') {
      out.push(`  ${c.name} (${c.type}): skipped — ${c.skipped}`);
    } else {
      const verb = c.status === 'planned' ? 'would import' : 'imported';
      out.push(`  ${c.name} (${c.type}, id ${c.id}): ${verb} ${c.records} records, ${c.files} files`);
    }
    out.push(...c.notes.map(line));
  }
  out.push(
    '',
    `Admins (from _superusers): ${r.admins.imported} ${r.dryRun ? 'to import' : 'imported'}` +
      (r.admins.skipped.length ? `, ${r.admins.skipped.length} skipped` : ''),
    ...r.admins.skipped.map((s) => `    - skipped: ${s.email} — ${s.why}`),
    `Social identities (from _externalAuths): ${r.externalAuths.imported} linked` +
      (r.externalAuths.skipped
        ? `, ${r.externalAuths.skipped} skipped (their collection was not imported)`
        : ''),
  );
  if (r.settings.length) out.push('', 'Settings:', ...r.settings.map(line));
  if (r.notes.length) out.push('', 'Also:', ...r.notes.map(line));
  return out.join('\n') + '\n';
}
