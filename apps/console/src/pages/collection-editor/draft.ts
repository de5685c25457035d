import type { CollectionModel, FieldModel, FieldType } from '@plinth/sdk';

/** The editor's working copy of a collection, and its conversion to and from the API's shape. */

export const TYPES: FieldType[] = [
  'text',
  'number',
  'bool',
  'email',
  'url',
  'date',
  'select',
  'json',
  'relation',
  'file',
  'editor',
  'autodate',
  'geoPoint',
];
export const RULES = [
  { key: 'listRule', label: 'List', hint: 'Who may list and search records. A rule filters the list.' },
  { key: 'viewRule', label: 'View', hint: 'Who may read one record.' },
  { key: 'createRule', label: 'Create', hint: 'Who may create records; @request.body.* is the new record.' },
  { key: 'updateRule', label: 'Update', hint: 'Who may change a record.' },
  { key: 'deleteRule', label: 'Delete', hint: 'Who may delete a record.' },
] as const;
export type RuleKey = (typeof RULES)[number]['key'];

export interface DraftField extends FieldModel {
  /** Local key for React; the server's `id` is kept so that a new name is a rename. */
  _key: string;
  _original?: string;
  _open?: boolean;
}

export interface ProviderDraft {
  _key: string;
  name: string;
  clientId: string;
  clientSecret: string;
  authUrl: string;
  tokenUrl: string;
  userInfoUrl: string;
  issuer: string;
}

export interface OAuth2Draft {
  enabled: boolean;
  redirectAllowList: string;
  providers: ProviderDraft[];
}

export interface RuleDraft {
  mode: 'admins' | 'anyone' | 'rule';
  expr: string;
}

export interface IndexDraft {
  _key: string;
  fields: string;
  unique: boolean;
}

export interface Draft {
  name: string;
  type: 'base' | 'auth' | 'view';
  /** view collections: the SELECT; their fields are inferred from it by the server (shown, not edited). */
  viewQuery: string;
  fields: DraftField[];
  rules: Record<RuleKey, RuleDraft>;
  indexes: IndexDraft[];
  oauth2: OAuth2Draft;
  signIn: SignInDraft;
}

/** Email one-time codes (and magic links) and multi-factor sign-in of an auth collection. */
export interface SignInDraft {
  otpEnabled: boolean;
  otpDuration: string;
  otpLength: string;
  /** One URL per line. */
  linkAllowList: string;
  mfaEnabled: boolean;
  mfaDuration: string;
  mfaRule: string;
}

function toSignInDraft(c?: CollectionModel): SignInDraft {
  return {
    otpEnabled: c?.otp?.enabled === true,
    otpDuration: String(c?.otp?.duration ?? 180),
    otpLength: String(c?.otp?.length ?? 8),
    linkAllowList: (c?.otp?.linkAllowList ?? []).join('\n'),
    mfaEnabled: c?.mfa?.enabled === true,
    mfaDuration: String(c?.mfa?.duration ?? 1800),
    mfaRule: c?.mfa?.rule ?? '',
  };
}

/** Server problems by path (`fields.0.name`, `listRule`). */
export type Errs = Record<string, string>;

let keySeq = 0;
export const nextKey = () => `k${++keySeq}`;

export const emptyProvider = (): ProviderDraft => ({
  _key: nextKey(),
  name: 'google',
  clientId: '',
  clientSecret: '',
  authUrl: '',
  tokenUrl: '',
  userInfoUrl: '',
  issuer: '',
});

function toOAuth2Draft(raw: unknown): OAuth2Draft {
  const o = (raw && typeof raw === 'object' ? raw : {}) as {
    enabled?: boolean;
    redirectAllowList?: string[];
    providers?: Array<Record<string, string>>;
  };
  return {
    enabled: o.enabled === true,
    redirectAllowList: (o.redirectAllowList ?? []).join('\n'),
    providers: (o.providers ?? []).map((p) => ({
      ...emptyProvider(),
      name: p.name ?? 'google',
      clientId: p.clientId ?? '',
      authUrl: p.authUrl ?? '',
      tokenUrl: p.tokenUrl ?? '',
      userInfoUrl: p.userInfoUrl ?? '',
      issuer: p.issuer ?? '',
    })),
  };
}

export function toDraft(c?: CollectionModel): Draft {
  const rules = {} as Draft['rules'];
  for (const r of RULES) {
    const v = c ? c[r.key] : null;
    rules[r.key] =
      v === null || v === undefined
        ? { mode: 'admins', expr: '' }
        : v === ''
          ? { mode: 'anyone', expr: '' }
          : { mode: 'rule', expr: v };
  }
  return {
    name: c?.name ?? '',
    type: c?.type ?? 'base',
    viewQuery: c?.viewQuery ?? '',
    fields: (c?.fields ?? []).map((f) => ({ ...f, _key: nextKey(), _original: f.name })),
    rules,
    indexes: (c?.indexes ?? []).map((i) => ({
      _key: nextKey(),
      fields: i.fields.join(', '),
      unique: !!i.unique,
    })),
    oauth2: toOAuth2Draft(c?.oauth2),
    signIn: toSignInDraft(c),
  };
}

export const list = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

/** A draft field as the API takes it: no local keys, no empty options. */
export function toFieldModel(f: DraftField): FieldModel {
  const { _key, _original, _open, ...rest } = f;
  void _key;
  void _original;
  void _open;
  const out = {} as FieldModel;
  // The id field's empty patterns mean something (any id; clients send it): an omitted one is PocketBase's default.
  const keepEmpty = rest.primaryKey === true;
  for (const [k, v] of Object.entries(rest)) if (v !== undefined && (v !== '' || keepEmpty)) out[k] = v;
  return out;
}

export function ruleValue(rule: RuleDraft): string | null {
  return rule.mode === 'admins' ? null : rule.mode === 'anyone' ? '' : rule.expr;
}

export function toModel(d: Draft): CollectionModel {
  if (d.type === 'view') {
    // Read-only: no fields (inferred), no indexes, no write rules.
    return {
      name: d.name.trim(),
      type: 'view',
      viewQuery: d.viewQuery,
      fields: [],
      listRule: ruleValue(d.rules.listRule),
      viewRule: ruleValue(d.rules.viewRule),
      createRule: null,
      updateRule: null,
      deleteRule: null,
    };
  }
  const model: CollectionModel = {
    name: d.name.trim(),
    type: d.type,
    fields: d.fields.map(toFieldModel),
    indexes: d.indexes.map((i) => ({ fields: list(i.fields), unique: i.unique })),
  };
  for (const r of RULES) model[r.key] = ruleValue(d.rules[r.key]);
  if (d.type === 'auth') {
    model.oauth2 = {
      enabled: d.oauth2.enabled,
      redirectAllowList: d.oauth2.redirectAllowList
        .split('\n')
        .map((x) => x.trim())
        .filter(Boolean),
      // A secret left empty keeps the stored one; endpoints left empty use the provider's defaults.
      providers: d.oauth2.providers.map((p) => {
        const out: Record<string, string> = {
          name: p.name,
          clientId: p.clientId,
          clientSecret: p.clientSecret,
        };
        for (const k of ['authUrl', 'tokenUrl', 'userInfoUrl', 'issuer'] as const) if (p[k]) out[k] = p[k];
        return out;
      }),
    };
    const s = d.signIn;
    // Numbers as typed: the server says what is out of range (400 at otp.duration, ...).
    model.otp = {
      enabled: s.otpEnabled,
      duration: Number(s.otpDuration),
      length: Number(s.otpLength),
      linkAllowList: s.linkAllowList
        .split('\n')
        .map((x) => x.trim())
        .filter(Boolean),
    };
    model.mfa = { enabled: s.mfaEnabled, duration: Number(s.mfaDuration), rule: s.mfaRule.trim() };
  }
  return model;
}

export function numberOrUndefined(v: string): number | undefined {
  if (v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}
