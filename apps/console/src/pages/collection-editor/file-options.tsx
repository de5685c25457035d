import { useState } from 'react';
import { Field } from '../../components/ui';
import { MIME_PRESETS, sizeIn, THUMB_PRESETS, toBytes, UNITS, unitFor, type SizeUnit } from './file-sizes';
import { CheckOption, ListOption, NumberOption, type OptionsProps } from './option-inputs';

/** Toggles a whole group of values in a list: adds the missing ones, or removes all when all are there. */
function toggle(current: readonly string[], group: readonly string[]): string[] {
  const all = group.every((v) => current.includes(v));
  return all
    ? current.filter((v) => !group.includes(v))
    : [...current, ...group.filter((v) => !current.includes(v))];
}

/** Options of a file field: types by preset, size in KB or MB (stored in bytes), thumbnails. */
export function FileOptions(props: OptionsProps) {
  const f = props.field;
  const [unit, setUnit] = useState<SizeUnit>(unitFor(f.maxSize));
  const [typed, setTyped] = useState(sizeIn(f.maxSize, unit));
  const types = f.mimeTypes ?? [];
  const thumbs = f.thumbs ?? [];
  const setSize = (text: string, u: SizeUnit) => {
    setTyped(text);
    setUnit(u);
    props.onChange({ maxSize: toBytes(text, u) });
  };
  return (
    <>
      <NumberOption {...props} option="maxSelect" label="Max files" hint="1 = one file; more = a list" />
      <Field
        label="Max size"
        error={props.err('maxSize')}
        hint={f.maxSize ? `${f.maxSize.toLocaleString('en')} bytes` : 'Empty: the server default.'}
      >
        <span className="size-input">
          <input
            type="number"
            min="0"
            step="any"
            name={`maxSize-${f._key}`}
            value={typed}
            onChange={(e) => setSize(e.target.value, unit)}
          />
          <select
            aria-label="Size unit"
            value={unit}
            onChange={(e) => setSize(typed, e.target.value as SizeUnit)}
          >
            {Object.keys(UNITS).map((u) => (
              <option key={u} value={u}>
                {u}
              </option>
            ))}
          </select>
        </span>
      </Field>
      <div className="preset-group" role="group" aria-label="Allowed file types">
        <span className="field-label">Allowed types</span>
        <span className="preset-buttons">
          {MIME_PRESETS.map((p) => (
            <button
              key={p.key}
              type="button"
              className="chip"
              aria-pressed={p.types.every((t) => types.includes(t))}
              onClick={() => props.onChange({ mimeTypes: toggle(types, p.types) })}
            >
              {p.label}
            </button>
          ))}
        </span>
      </div>
      <ListOption
        {...props}
        option="mimeTypes"
        label="Allowed types (empty: any)"
        placeholder="image/png, image/jpeg"
      />
      <div className="preset-group" role="group" aria-label="Thumbnail sizes">
        <span className="field-label">Thumbnails</span>
        <span className="preset-buttons">
          {THUMB_PRESETS.map((p) => (
            <button
              key={p.size}
              type="button"
              className="chip"
              aria-pressed={thumbs.includes(p.size)}
              onClick={() => props.onChange({ thumbs: toggle(thumbs, [p.size]) })}
            >
              {p.label}
            </button>
          ))}
        </span>
      </div>
      <ListOption
        {...props}
        option="thumbs"
        label="Thumbnail sizes (W×H; 0 keeps the ratio)"
        placeholder="100x100"
      />
      <CheckOption {...props} option="protected" label="protected (needs a file token)" />
      <CheckOption {...props} option="inlinePdf" label="show PDFs in the browser (otherwise they download)" />
    </>
  );
}
