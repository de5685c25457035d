import type { CollectionModel, FieldModel } from '@plinth/sdk';
import type { RuleDraft } from './draft';

export interface RulePreset {
  key: string;
  label: string;
  /** The rule it sets, or why it cannot be used for this collection. */
  make: (self: CollectionModel, all: CollectionModel[]) => RuleDraft | { missing: string };
}

const isAuth = (name: string | undefined, self: CollectionModel, all: CollectionModel[]) =>
  name !== undefined &&
  (name === self.name ? self.type === 'auth' : all.some((c) => c.name === name && c.type === 'auth'));

/** The field that says whose a record is: a single relation to an auth collection (`author`, `owner`). */
export function ownerField(self: CollectionModel, all: CollectionModel[]): FieldModel | undefined {
  const candidates = self.fields.filter(
    (f) => f.name && f.type === 'relation' && isAuth(f.collection, self, all) && (f.maxSelect ?? 1) <= 1,
  );
  const preferred = /^(owner|author|user|creator|created_by|createdBy)$/;
  return candidates.find((f) => preferred.test(f.name)) ?? candidates[0];
}

/** `id` when the records are the users themselves, else the owner relation's name. */
function ownerExpr(self: CollectionModel, all: CollectionModel[]): string | undefined {
  if (self.type === 'auth') return 'id';
  return ownerField(self, all)?.name;
}

/** A published flag: a bool (`published`, `public`) or a select with a published-like value. */
function publishedExpr(self: CollectionModel): string | undefined {
  const flag = self.fields.find(
    (f) => f.type === 'bool' && /^(is_?)?(published|public|live|visible)$/i.test(f.name),
  );
  if (flag) return `${flag.name} = true`;
  for (const f of self.fields.filter((x) => x.type === 'select')) {
    const value = f.values?.find((v) => /^(published|public|live)$/i.test(v));
    if (value) return `${f.name} = '${value}'`;
  }
  return undefined;
}

const NEEDS_OWNER = 'needs a relation field to a users collection';

export const RULE_PRESETS: RulePreset[] = [
  { key: 'everyone', label: 'Everyone', make: () => ({ mode: 'anyone', expr: '' }) },
  {
    key: 'signed-in',
    label: 'Signed-in users',
    make: () => ({ mode: 'rule', expr: "@request.auth.id != ''" }),
  },
  {
    key: 'owner',
    label: 'Owner only',
    make: (self, all) => {
      const owner = ownerExpr(self, all);
      return owner ? { mode: 'rule', expr: `${owner} = @request.auth.id` } : { missing: NEEDS_OWNER };
    },
  },
  {
    key: 'published-or-owner',
    label: 'Published or owner',
    make: (self, all) => {
      const owner = ownerExpr(self, all);
      const published = publishedExpr(self);
      if (!owner) return { missing: NEEDS_OWNER };
      if (!published)
        return { missing: 'needs a bool field "published" or a select with a "published" value' };
      return { mode: 'rule', expr: `${published} || ${owner} = @request.auth.id` };
    },
  },
  { key: 'admins', label: 'Nobody but admins', make: () => ({ mode: 'admins', expr: '' }) },
];
