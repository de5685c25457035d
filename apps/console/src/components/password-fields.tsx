import { useState } from 'react';
import { Field } from './ui';

/** Admin passwords: the server's bounds (libs/auth: setup, change and reset). */
const MIN_LENGTH = 10;

export const PASSWORDS_DIFFER = 'The two passwords differ.';

export interface PasswordPair {
  password: string;
  confirm: string;
  setPassword: (value: string) => void;
  setConfirm: (value: string) => void;
  /** The mismatch to show under the repeat, or '' when both are the same. */
  mismatch: () => string;
  clear: () => void;
}

/** The state of a new password and its repeat. */
export function usePasswordPair(): PasswordPair {
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  return {
    password,
    confirm,
    setPassword,
    setConfirm,
    mismatch: () => (password === confirm ? '' : PASSWORDS_DIFFER),
    clear: () => {
      setPassword('');
      setConfirm('');
    },
  };
}

/** A new password and its repeat, as the browser's password manager expects them (new-password). */
export function PasswordFields(props: {
  pair: PasswordPair;
  errors?: { password?: string; confirm?: string };
  labels?: { password: string; confirm: string };
  names?: { password: string; confirm: string };
  autoFocus?: boolean;
}) {
  const { pair } = props;
  const labels = props.labels ?? { password: 'Password', confirm: 'Repeat the password' };
  const names = props.names ?? { password: 'password', confirm: 'passwordConfirm' };
  return (
    <>
      <Field
        label={labels.password}
        hint={`At least ${MIN_LENGTH} characters.`}
        error={props.errors?.password}
      >
        <input
          type="password"
          name={names.password}
          required
          minLength={MIN_LENGTH}
          autoComplete="new-password"
          autoFocus={props.autoFocus}
          value={pair.password}
          onChange={(e) => pair.setPassword(e.target.value)}
        />
      </Field>
      <Field label={labels.confirm} error={props.errors?.confirm}>
        <input
          type="password"
          name={names.confirm}
          required
          autoComplete="new-password"
          value={pair.confirm}
          onChange={(e) => pair.setConfirm(e.target.value)}
        />
      </Field>
    </>
  );
}
