import { useState } from 'react';

/** Checkboxes over a set of strings (API key scopes, webhook events): `box(value, label)` renders one. */
export function useCheckSet(name: string, initial: Iterable<string> = []) {
  const [values, setValues] = useState(() => new Set(initial));
  const box = (value: string, label = value) => (
    <label className="check" key={value}>
      <input
        type="checkbox"
        name={name}
        value={value}
        checked={values.has(value)}
        onChange={(e) => {
          const next = new Set(values);
          if (e.target.checked) next.add(value);
          else next.delete(value);
          setValues(next);
        }}
      />{' '}
      {label}
    </label>
  );
  return { values, box };
}
