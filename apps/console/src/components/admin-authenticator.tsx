import { useCallback, useEffect, useState } from 'react';
import type { TotpStatus } from '@plinth/sdk';
import { client, describeError } from '../api/client';
import { Button, ErrorBanner, Field } from './ui';

/**
 * The signed-in admin's authenticator app (TOTP) for the console's sign-in: enrol (secret and
 * otpauth:// URI), confirm with a first code (recovery codes shown once), remove with a code.
 */
export function AdminAuthenticator() {
  const [status, setStatus] = useState<TotpStatus | null>(null);
  const [enrolment, setEnrolment] = useState<{ secret: string; uri: string } | null>(null);
  const [recovery, setRecovery] = useState<string[]>([]);
  const [code, setCode] = useState('');
  const [error, setError] = useState('');

  const load = useCallback(async () => {
    try {
      setStatus(await client.admins.totpStatus());
    } catch (err) {
      setError(describeError(err));
    }
  }, []);
  useEffect(() => void load(), [load]);

  const run = async (step: () => Promise<void>) => {
    setError('');
    try {
      await step();
      setCode('');
      await load();
    } catch (err) {
      setError(describeError(err));
    }
  };

  return (
    <section className="card" aria-labelledby="totp-title" data-testid="admin-authenticator">
      <h2 id="totp-title">Authenticator app</h2>
      <p className="muted">
        With an authenticator app (TOTP), signing in to this console asks for its 6-digit code after the
        password.
      </p>
      <ErrorBanner error={error} />
      {recovery.length ? (
        <div className="stack">
          <p>
            Recovery codes, shown this once: each signs you in once in place of a code. Keep them somewhere
            safe.
          </p>
          <pre className="mono">{recovery.join('\n')}</pre>
          <Button small onClick={() => setRecovery([])}>
            I have kept them
          </Button>
        </div>
      ) : null}
      {status?.confirmed ? (
        <div className="stack">
          <p>
            On since {new Date(status.confirmedAt!).toLocaleDateString()}; {status.recoveryCodesLeft} recovery
            codes left.
          </p>
          <Field label="Code or recovery code, to remove it">
            <input name="remove-code" value={code} onChange={(e) => setCode(e.target.value)} />
          </Field>
          <Button kind="danger" onClick={() => void run(() => client.admins.removeTotp(code.trim()))}>
            Remove authenticator
          </Button>
        </div>
      ) : enrolment ? (
        <div className="stack">
          <p>
            Add this account to the app (scan the URI as a QR code or type the secret), then enter its code.
          </p>
          <p className="mono small">{enrolment.uri}</p>
          <p className="mono">{enrolment.secret}</p>
          <Field label="First code">
            <input
              name="confirm-code"
              inputMode="numeric"
              autoComplete="one-time-code"
              value={code}
              onChange={(e) => setCode(e.target.value)}
            />
          </Field>
          <Button
            kind="primary"
            onClick={() =>
              void run(async () => {
                setRecovery((await client.admins.confirmTotp(code.trim())).recoveryCodes);
                setEnrolment(null);
              })
            }
          >
            Confirm
          </Button>
        </div>
      ) : status ? (
        <Button onClick={() => void run(async () => setEnrolment(await client.admins.enrollTotp()))}>
          Set up an authenticator
        </Button>
      ) : null}
    </section>
  );
}
