import { useEffect, useState } from 'react';
import type { RecordModel, TotpStatus } from '@plinth/sdk';
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
      {record ? <SecondFactor collection={props.collection} id={record.id} /> : null}
    </>
  );
}

/** The user's authenticator (TOTP) and recovery codes, and an admin's reset of them (a lost phone). */
function SecondFactor(props: { collection: string; id: string }) {
  const [status, setStatus] = useState<TotpStatus | null>(null);
  const [message, setMessage] = useState('');
  useEffect(() => {
    let live = true;
    client
      .collection(props.collection)
      .getUserMfa(props.id)
      .then((s) => live && setStatus(s))
      .catch((err: unknown) => live && setMessage(describeError(err)));
    return () => {
      live = false;
    };
  }, [props.collection, props.id]);
  const reset = async () => {
    try {
      await client.collection(props.collection).resetUserMfa(props.id);
      setStatus({ enrolled: false, confirmed: false, confirmedAt: null, recoveryCodesLeft: 0 });
      setMessage('The authenticator and recovery codes are removed; the user signs in without them now.');
    } catch (err) {
      setMessage(describeError(err));
    }
  };
  const text = !status
    ? 'Second factor: …'
    : status.confirmed
      ? `Second factor: authenticator app since ${new Date(status.confirmedAt!).toLocaleDateString()}, ${status.recoveryCodesLeft} recovery code${status.recoveryCodesLeft === 1 ? '' : 's'} left`
      : status.enrolled
        ? 'Second factor: authenticator enrolment started, not confirmed'
        : 'Second factor: none';
  return (
    <div className="row-wrap" data-testid="second-factor">
      <span>{text}</span>
      {status?.enrolled ? (
        <Button small onClick={() => void reset()}>
          Reset MFA
        </Button>
      ) : null}
      {message ? <span className="muted small">{message}</span> : null}
    </div>
  );
}
