import { useState } from 'react';
import type { RecordModel } from '@plinth/sdk';
import { client, describeError } from '../../api/client';
import { Button, Field } from '../../components/ui';

export interface AuthValues {
  email: string;
  password: string;
  emailVisibility: boolean;
  verified: boolean;
}

export const initialAuth = (record: RecordModel | null): AuthValues => ({
  email: String(record?.email ?? ''),
  password: '',
  emailVisibility: record?.emailVisibility === true,
  verified: record?.verified === true,
});

/** The body keys of an auth record's own fields. */
export function authBody(v: AuthValues, record: RecordModel | null): Record<string, unknown> {
  const body: Record<string, unknown> = { email: v.email, emailVisibility: v.emailVisibility };
  if (record && v.verified !== (record.verified === true)) body.verified = v.verified;
  if (v.password) {
    body.password = v.password;
    body.passwordConfirm = v.password;
  }
  return body;
}

/** Email, password, visibility and verification of a user, and ending their sessions. */
export function AuthFields(props: {
  collection: string;
  record: RecordModel | null;
  value: AuthValues;
  errors: Record<string, string>;
  onChange: (v: AuthValues) => void;
}) {
  const { record, value, errors, onChange } = props;
  const [revoked, setRevoked] = useState('');
  const revoke = async (id: string) => {
    try {
      await client.collection(props.collection).revokeSessions(id);
      setRevoked('Every session of this user has ended; they must sign in again.');
    } catch (err) {
      setRevoked(describeError(err));
    }
  };
  return (
    <>
      <Field label="Email" error={errors.email}>
        <input
          type="email"
          name="email"
          value={value.email}
          onChange={(e) => onChange({ ...value, email: e.target.value })}
        />
      </Field>
      <Field
        label={record ? 'New password' : 'Password'}
        hint={record ? 'Leave empty to keep the current password.' : undefined}
        error={errors.password ?? errors.passwordConfirm}
      >
        <input
          type="password"
          name="password"
          autoComplete="new-password"
          value={value.password}
          onChange={(e) => onChange({ ...value, password: e.target.value })}
        />
      </Field>
      <label className="check">
        <input
          type="checkbox"
          checked={value.emailVisibility}
          onChange={(e) => onChange({ ...value, emailVisibility: e.target.checked })}
        />{' '}
        email visible to other users
      </label>
      {record ? (
        <div className="row-wrap">
          <label className="check">
            <input
              type="checkbox"
              name="verified"
              checked={value.verified}
              onChange={(e) => onChange({ ...value, verified: e.target.checked })}
            />{' '}
            email verified
          </label>
          <Button small onClick={() => void revoke(record.id)}>
            Revoke sessions
          </Button>
          {revoked ? <span className="muted small">{revoked}</span> : null}
        </div>
      ) : null}
    </>
  );
}
