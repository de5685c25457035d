const list = (names: string[]) => <strong>{names.join(', ')}</strong>;

/**
 * The warning before a change that deletes data, worded as the collection editor's: "Saving deletes
 * the field x and the data in it from every record." `verb` names the action ("Saving", "Applying").
 */
export function DataLossWarning(props: { fields: string[]; collections?: string[]; verb: string }) {
  const collections = props.collections ?? [];
  if (!props.fields.length && !collections.length) return null;
  const many = props.fields.length > 1;
  return (
    <div className="banner banner-warn" role="alert" data-testid="data-loss-warning">
      <div>
        {props.fields.length ? (
          <p>
            {props.verb} deletes the field{many ? 's' : ''} {list(props.fields)} and the data in
            {many ? ' them' : ' it'} from every record.
          </p>
        ) : null}
        {collections.length ? (
          <p>
            {props.verb} deletes the collection{collections.length > 1 ? 's' : ''} {list(collections)} with
            all
            {collections.length > 1 ? ' their' : ' its'} records and files.
          </p>
        ) : null}
        <p>This cannot be undone: export the schema and back up the data first if you may need it.</p>
      </div>
    </div>
  );
}
