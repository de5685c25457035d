import { useState, type FormEvent, type ReactNode } from 'react';
import { mfaIdOf } from '@plinth/sdk';
import { authStore, client, describeError, errorsByPath } from '../api/client';
import { PasswordFields, usePasswordPair } from '../components/password-fields';
import { SetupLinkUsed, useAdminExists } from '../components/setup-link-used';
import { Button, ErrorBanner, Field, Notice } from '../components/ui';
import { href, navigate } from '../router';

export function AuthCard(props: { title: string; intro?: string; children: ReactNode }) {
  return (
    <div className="auth-page">
      <div className="auth-card">
        <div className="brand auth-brand">Plinth</div>
        <h1>{props.title}</h1>
        {props.intro ? <p className="muted">{props.intro}</p> : null}
        {props.children}
      </div>
    </div>
  );
}

/**
 * The form of an auth card: one submit button, the error banner, and the fields' errors handed to its
 * children. `submit` answers field errors to refuse without asking the server (passwords that differ).
 */
export function AuthForm(props: {
  submitLabel: string;
  submit: () => Promise<Record<string, string> | void>;
  children: (errors: Record<string, string>) => ReactNode;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setError('');
    setErrors({});
    setBusy(true);
    try {
      const refused = await props.submit();
      if (refused) setErrors(refused);
    } catch (err) {
      setError(describeError(err));
      setErrors(errorsByPath(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={onSubmit} className="stack">
      <ErrorBanner error={error} />
      {props.children(errors)}
      <Button kind="primary" type="submit" busy={busy}>
        {props.submitLabel}
      </Button>
    </form>
  );
}

/** The one-time setup link printed at first boot opens this page: it creates the first admin. */
export function SetupPage({ token }: { token: string }) {
  const [email, setEmail] = useState('');
  const pair = usePasswordPair();
  const adminExists = useAdminExists();

  if (adminExists) {
    return (
      <AuthCard title="This setup link was used">
        <SetupLinkUsed />
      </AuthCard>
    );
  }
  if (!token) {
    return (
      <AuthCard title="Setup link incomplete">
        <ErrorBanner error="This page needs the whole setup link Plinth printed when it started (it ends with ?token=…). Copy it again from the server's log." />
        <a href="#/login">Go to sign-in</a>
      </AuthCard>
    );
  }

  const submit = async () => {
    if (pair.mismatch()) return { confirm: pair.mismatch() };
    const result = await client.admins.setup(token, email, pair.password);
    authStore.save(result.token, { ...result.admin }, '');
    navigate('/collections');
  };

  return (
    <AuthCard
      title="Create the first admin"
      intro="No admin exists yet. This account can change everything in Plinth: pick a strong password."
    >
      <AuthForm submitLabel="Create admin and sign in" submit={submit}>
        {(fieldErrors) => (
          <>
            <Field label="Email" error={fieldErrors.email}>
              <input
                type="email"
                name="email"
                required
                value={email}
                onChange={(e) => setEmail(e.target.value)}
                autoFocus
              />
            </Field>
            <PasswordFields
              pair={pair}
              errors={{ password: fieldErrors.password, confirm: fieldErrors.confirm }}
            />
          </>
        )}
      </AuthForm>
    </AuthCard>
  );
}

export function LoginPage({ reason }: { reason?: string }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [mfaId, setMfaId] = useState('');
  const [code, setCode] = useState('');

  const submit = async () => {
    try {
      await client.admins.authWithPassword(email, password);
    } catch (err) {
      // An admin with an authenticator: the password was right, the code comes next.
      const id = mfaIdOf(err);
      if (!id) throw err;
      setMfaId(id);
      return;
    }
    navigate('/collections');
  };

  const submitCode = async () => {
    await client.admins.authWithTotp(mfaId, code.trim());
    navigate('/collections');
  };

  if (mfaId) {
    return (
      <AuthCard
        title="Authenticator code"
        intro="Enter the 6-digit code your authenticator app shows for this Plinth server, or one of your recovery codes."
      >
        <AuthForm submitLabel="Sign in" submit={submitCode}>
          {() => (
            <Field label="Code">
              <input
                name="code"
                required
                autoComplete="one-time-code"
                inputMode="text"
                value={code}
                onChange={(e) => setCode(e.target.value)}
                autoFocus
              />
            </Field>
          )}
        </AuthForm>
        <p className="small">
          <Button kind="ghost" small onClick={() => setMfaId('')}>
            Start again
          </Button>
        </p>
      </AuthCard>
    );
  }

  return (
    <AuthCard title="Sign in" intro="Admins of this Plinth server sign in here.">
      {reason ? <Notice>{reason}</Notice> : null}
      <AuthForm submitLabel="Sign in" submit={submit}>
        {() => (
          <>
            <Field label="Email">
              <input
                type="email"
                name="email"
                required
                value={email}
                onChange={(e) => setEmail(e.target.value)}
                autoFocus
              />
            </Field>
            <Field label="Password">
              <input
                type="password"
                name="password"
                required
                autoComplete="current-password"
                value={password}
                onChange={(e) => setPassword(e.target.value)}
              />
            </Field>
          </>
        )}
      </AuthForm>
      <p className="small">
        <a href={href(`/forgot-password${email ? `?email=${encodeURIComponent(email)}` : ''}`)}>
          Forgot password?
        </a>
      </p>
      <p className="muted small">
        First start? Open the setup link Plinth printed in its log, or create an admin with{' '}
        <code>npm run plinth -- admin create you@example.com</code>.
      </p>
    </AuthCard>
  );
}
