import {
  DEFAULT_MFA,
  DEFAULT_OTP,
  MFA_DURATION,
  OTP_DURATION,
  OTP_LENGTH,
  RULE_NAMES,
} from '@plinth/collections';
import { mapField, type ColumnMap, type ImportNote } from './pb-fields.js';
import { pbIdField } from './pb-ids.js';
import { mapView } from './pb-views.js';
import type { PbCollection } from './pb-reader.js';

/** A PocketBase collection as Plinth will create it, and how its rows are copied. */
export interface MappedCollection {
  pb: PbCollection;
  /** The collection's id in Plinth: PocketBase's, unless Plinth cannot keep it. */
  id: string;
  /** The Plinth collection body (as `POST /api/collections` takes it), rules not yet checked. */
  body: Record<string, unknown>;
  columns: ColumnMap[];
  notes: ImportNote[];
  /** Set when the collection is not imported at all. */
  skipped?: string;
}

/** PocketBase's own system collections: what they hold is imported by other means or not at all. */
export const PB_SYSTEM: Record<string, string> = {
  _superusers: 'imported as Plinth admins',
  _externalAuths: 'imported as linked social identities',
  _mfas: 'MFA sessions in progress are not carried; users sign in again',
  _otps: 'one-time passwords in flight are not carried; users sign in again',
  _authOrigins: 'known sign-in origins (new-location alerts) are not carried',
};

/** Auth columns every PocketBase auth collection has; Plinth has its own columns for them. */
const AUTH_FIELDS = new Set(['password', 'tokenKey', 'email', 'emailVisibility', 'verified']);
const OAUTH2_PROVIDERS = new Set(['google', 'github', 'oidc']);
const RULE_KEYS = [...RULE_NAMES] as string[];

interface ParsedIndex {
  name: string;
  unique: boolean;
  columns: string[] | null;
  where: string | null;
}

/** `CREATE [UNIQUE] INDEX name ON table (cols) [WHERE ...]` as PocketBase stores it. */
export function parseIndex(sql: string): ParsedIndex | null {
  const m =
    /^\s*CREATE\s+(UNIQUE\s+)?INDEX\s+(?:IF\s+NOT\s+EXISTS\s+)?[`"[]?([^`"\]\s]+)[`"\]]?\s+ON\s+[`"[]?[^`"\]\s(]+[`"\]]?\s*\(([\s\S]*?)\)\s*(?:WHERE\s+([\s\S]+))?$/i.exec(
      sql,
    );
  if (!m) return null;
  const parts = m[3]!.split(',').map((p) => p.trim());
  const columns = parts.map(
    (p) => /^[`"[]?([A-Za-z_][A-Za-z0-9_]*)[`"\]]?(?:\s+(?:ASC|DESC))?$/i.exec(p)?.[1],
  );
  return {
    name: m[2]!,
    unique: !!m[1],
    columns: columns.every(Boolean) ? (columns as string[]) : null,
    where: m[4]?.trim() || null,
  };
}

/** A partial index on "not empty" only: Plinth stores empty values as NULL, which unique indexes ignore. */
const emptyOnlyWhere = (where: string | null, column: string) =>
  !where || new RegExp(`^[\`"]?${column}[\`"]?\\s*!=\\s*'(\\[\\])?'$`).test(where.trim());

function mapIndexes(pb: PbCollection, notes: ImportNote[]) {
  const uniqueColumns = new Set<string>();
  const indexes: Array<{ fields: string[]; unique: boolean }> = [];
  for (const sql of pb.indexes) {
    const ix = parseIndex(sql);
    const cols = ix?.columns;
    if (!ix || !cols) {
      notes.push({
        kind: 'skipped',
        what: `index ${sql.slice(0, 120)}`,
        why: 'only indexes over plain columns are kept.',
      });
      continue;
    }
    // Plinth makes these itself: created, and an auth collection's email and token key.
    if (cols.length === 1 && ['created', 'email', 'tokenKey'].includes(cols[0]!)) continue;
    if (cols.length === 1 && ix.unique && emptyOnlyWhere(ix.where, cols[0]!)) {
      uniqueColumns.add(cols[0]!);
      continue;
    }
    if (ix.where) {
      notes.push({
        kind: 'skipped',
        what: `index ${ix.name}`,
        why: `Plinth has no partial indexes (WHERE ${ix.where}).`,
      });
      continue;
    }
    indexes.push({ fields: cols, unique: ix.unique });
  }
  return { uniqueColumns, indexes };
}

/** PocketBase's bounds and Plinth's may differ: a value outside Plinth's is brought inside, and said. */
function within(value: unknown, min: number, max: number, fallback: number): number {
  return Number.isInteger(value) ? Math.min(max, Math.max(min, value as number)) : fallback;
}

/** OTP and MFA as PocketBase had them on; the mail template stays Plinth's (its placeholders differ). */
function mapOtpMfa(o: Record<string, unknown>, body: Record<string, unknown>, notes: ImportNote[]) {
  const otp = o.otp as { enabled?: boolean; duration?: number; length?: number } | undefined;
  const mfa = o.mfa as { enabled?: boolean; duration?: number; rule?: string } | undefined;
  if (otp?.enabled === true) {
    body.otp = {
      enabled: true,
      duration: within(otp.duration, OTP_DURATION.min, OTP_DURATION.max, DEFAULT_OTP.duration),
      length: within(otp.length, OTP_LENGTH.min, OTP_LENGTH.max, DEFAULT_OTP.length),
    };
    notes.push({
      kind: 'limited',
      what: 'otp.emailTemplate',
      why: "PocketBase's one-time password mail template is not carried: Plinth mails its own wording (set otp.emailTemplate to change it; {OTP} and {APP_NAME} are filled in).",
    });
  }
  if (mfa?.enabled === true) {
    body.mfa = {
      enabled: true,
      duration: within(mfa.duration, MFA_DURATION.min, MFA_DURATION.max, DEFAULT_MFA.duration),
      rule: typeof mfa.rule === 'string' ? mfa.rule : '',
    };
  }
}

function mapAuthOptions(pb: PbCollection, body: Record<string, unknown>, notes: ImportNote[]) {
  const o = pb.options;
  body.authRule = o.authRule ?? null;
  body.manageRule = o.manageRule ?? null;
  const password = (o.passwordAuth ?? { enabled: true, identityFields: ['email'] }) as {
    enabled: boolean;
    identityFields: string[];
  };
  body.passwordAuth = { enabled: password.enabled, identityFields: password.identityFields };
  mapOtpMfa(o, body, notes);
  const duration = (o.authToken as { duration?: number } | undefined)?.duration;
  if (Number.isInteger(duration) && duration! > 0) body.authToken = { duration };
  const oauth2 = o.oauth2 as {
    enabled?: boolean;
    providers?: Array<Record<string, unknown>>;
    mappedFields?: unknown;
  };
  if (oauth2) {
    const providers = (oauth2.providers ?? []).filter((p) => {
      if (OAUTH2_PROVIDERS.has(String(p.name))) return true;
      notes.push({
        kind: 'skipped',
        what: `oauth2 provider ${String(p.name)}`,
        why: 'Plinth signs in with google, github and oidc only.',
      });
      return false;
    });
    body.oauth2 = {
      enabled: oauth2.enabled === true && providers.length > 0,
      providers: providers.map((p) => {
        const out: Record<string, unknown> = {
          name: p.name,
          clientId: p.clientId,
          clientSecret: p.clientSecret,
        };
        for (const [from, to] of [
          ['authURL', 'authUrl'],
          ['tokenURL', 'tokenUrl'],
          ['userInfoURL', 'userInfoUrl'],
        ])
          if (typeof p[from] === 'string' && p[from]) out[to] = p[from];
        return out;
      }),
    };
    if (providers.length)
      notes.push({
        kind: 'limited',
        what: 'oauth2.redirectAllowList',
        why: 'PocketBase has none: add your app URL before social sign-in redirects.',
      });
  }
  for (const key of [
    'authAlert',
    'verificationTemplate',
    'resetPasswordTemplate',
    'confirmEmailChangeTemplate',
  ]) {
    if (o[key]) notes.push({ kind: 'limited', what: key, why: "Plinth's own account mails are used." });
  }
  for (const key of ['passwordResetToken', 'emailChangeToken', 'verificationToken', 'fileToken']) {
    if (o[key])
      notes.push({
        kind: 'limited',
        what: key,
        why: "Plinth's own token lifetimes apply (PLINTH_* settings).",
      });
  }
}

/**
 * PocketBase collections as Plinth collection bodies. Fields, indexes, rules and auth options map to
 * Plinth's own shapes; each option that does not is named in `notes`.
 */
export function mapCollections(
  all: PbCollection[],
  opts: { textIds: boolean; views?: boolean },
): MappedCollection[] {
  const byId = new Map(all.map((c) => [c.id, c]));
  return all
    .filter((c) => !(c.name in PB_SYSTEM))
    .map((pb) => {
      const notes: ImportNote[] = [];
      if (pb.type === 'view') {
        if (!opts.views)
          return {
            pb,
            id: pb.id,
            body: {},
            columns: [],
            notes,
            skipped: 'view collections are not imported by this version of Plinth.',
          };
        const view = mapView(pb);
        return { pb, id: pb.id, body: view.body, columns: [], notes: [...notes, ...view.notes] };
      }
      const { uniqueColumns, indexes } = mapIndexes(pb, notes);
      const fields: Record<string, unknown>[] = [];
      const columns: ColumnMap[] = [
        { name: 'id', kind: 'text' },
        { name: 'created', kind: 'date' },
        { name: 'updated', kind: 'date' },
      ];
      for (const raw of pb.fields) {
        const name = String(raw.name);
        if (name === 'id' || ((name === 'created' || name === 'updated') && raw.type === 'autodate'))
          continue;
        if (pb.type === 'auth' && AUTH_FIELDS.has(name)) continue;
        const m = mapField(raw, byId, uniqueColumns);
        notes.push(...m.notes);
        if (m.field && m.column) {
          fields.push(m.field);
          columns.push(m.column);
        }
      }
      // Records keep PocketBase's ids: the collection declares its text id field as PocketBase does.
      const idField = opts.textIds ? pbIdField(pb.fields) : undefined;
      if (idField) fields.unshift(idField);
      const body: Record<string, unknown> = { name: pb.name, type: pb.type, fields, indexes };
      for (const rule of RULE_KEYS) body[rule] = pb[rule as keyof PbCollection] ?? null;
      if (pb.type === 'auth') {
        mapAuthOptions(pb, body, notes);
        columns.push(
          { name: 'email', kind: 'text' },
          { name: 'emailVisibility', kind: 'bool' },
          { name: 'verified', kind: 'bool' },
          { name: 'password', kind: 'text' },
          { name: 'tokenKey', kind: 'text' },
        );
      }
      return { pb, id: pb.id, body, columns, notes };
    });
}
