import type { FieldModel } from '@plinth/sdk';
import { Field } from '../../components/ui';

/** A view collection's SELECT, and the fields the server inferred from it at the last save. */
export function ViewQueryTab(props: {
  query: string;
  fields: FieldModel[];
  error?: string;
  onChange: (query: string) => void;
}) {
  return (
    <div className="stack">
      <Field
        label="SQL query"
        hint='One SELECT over your collections (PostgreSQL), with an "id" column; name computed columns with AS. Save to see the fields.'
        error={props.error}
      >
        <textarea
          name="viewQuery"
          className="mono"
          rows={8}
          spellCheck={false}
          value={props.query}
          onChange={(e) => props.onChange(e.target.value)}
          placeholder={
            'SELECT p.id, p.title, a.name AS author_name\nFROM posts p JOIN authors a ON a.id = p.author'
          }
        />
      </Field>
      {props.fields.length ? (
        <table className="table" data-testid="view-fields">
          <caption className="muted">Fields inferred from the query</caption>
          <thead>
            <tr>
              <th>Name</th>
              <th>Type</th>
            </tr>
          </thead>
          <tbody>
            {props.fields.map((f) => (
              <tr key={f.id ?? f.name}>
                <td>{f.name}</td>
                <td>
                  {f.type}
                  {f.type === 'relation' && f.collection ? ` → ${f.collection}` : ''}
                  {f.hidden ? ' (hidden)' : ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">No fields yet: they are inferred from the query when you save.</p>
      )}
    </div>
  );
}
