import { Field } from '../../components/ui';
import { controlAttrs, type InputProps } from './input-props';

/** geoPoint fields: longitude and latitude in degrees; both empty means no point. */
export function GeoPointInput({ field, label, error, value, onChange }: InputProps<string[]>) {
  const [lon = '', lat = ''] = value;
  return (
    <Field label={label} error={error} hint="Longitude −180 to 180, latitude −90 to 90 (degrees).">
      <span className="row-wrap">
        <input
          {...controlAttrs(field.name)}
          type="number"
          step="any"
          aria-label={`${field.name} longitude`}
          placeholder="longitude"
          value={lon}
          onChange={(e) => onChange([e.target.value, lat])}
        />
        <input
          name={`${field.name}-lat`}
          id={`field-${field.name}-lat`}
          type="number"
          step="any"
          aria-label={`${field.name} latitude`}
          placeholder="latitude"
          value={lat}
          onChange={(e) => onChange([lon, e.target.value])}
        />
      </span>
    </Field>
  );
}
