/**
 * Field type name → its module. Adding a type: one `<type>.field.ts` with its spec, its name in
 * FIELD_TYPES (collection.types.ts) and one line here.
 */
import type { FieldType } from '../schema/collection.types.js';
import { autodateField } from './autodate.field.js';
import { boolField } from './bool.field.js';
import { dateField } from './date.field.js';
import { editorField } from './editor.field.js';
import { emailField } from './email.field.js';
import type { FieldTypeModule } from './field-type.js';
import { fileField } from './file.field.js';
import { geoPointField } from './geo-point.field.js';
import { jsonField } from './json.field.js';
import { numberField } from './number.field.js';
import { relationField } from './relation.field.js';
import { selectField } from './select.field.js';
import { textField } from './text.field.js';
import { urlField } from './url.field.js';

const MODULES: Record<FieldType, FieldTypeModule> = {
  text: textField,
  number: numberField,
  bool: boolField,
  email: emailField,
  url: urlField,
  date: dateField,
  select: selectField,
  json: jsonField,
  relation: relationField,
  file: fileField,
  editor: editorField,
  autodate: autodateField,
  geoPoint: geoPointField,
};

/** The module of a field type. */
export function fieldTypeOf(type: FieldType): FieldTypeModule {
  return MODULES[type];
}

/** The module of a field. */
export const fieldModule = (field: { type: FieldType }): FieldTypeModule => MODULES[field.type];
