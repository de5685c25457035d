import './extras.css';

/** A boolean as the console shows it everywhere: a check mark and "Yes", or "No". */
export function YesNo({ value }: { value: unknown }) {
  return value === true ? (
    <span className="yes-no yes">
      <span aria-hidden="true">✓ </span>Yes
    </span>
  ) : (
    <span className="yes-no no">No</span>
  );
}
