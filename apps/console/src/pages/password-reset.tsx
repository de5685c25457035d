import { useState, type FormEvent } from 'react';
import { client, describeError, errorsByPath } from '../api/client';
import { PasswordFields, usePasswordPair } from '../components/password-fields';
import { Button, ErrorBanner, Field, Notice } from '../components/ui';
import { href } from '../router';
import { AuthCard } from './auth-pages';

/** "Forgot password?": asks the server to mail a reset link to the admin with this email. */
export function ForgotPasswordPage({ email: initial }: { email: string }) {
  const [email, setEmail] = useState(initial);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [sentTo, setSentTo] = useState('');

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError('');
    setBusy(true);
    try {
      await client.admins.requestPasswordReset(email);
      setSentTo(email);
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };

  if (sentTo) {
    return (
      <AuthCard title="Check your mail">
        <Notice>
          If an admin of this server has the address <strong>{sentTo}</strong>, a link to choose a new
          password is on its way. It works once, within an hour.
        </Notice>
        <p className="muted small">
          Nothing after a few minutes? Look in the spam folder, check the address and ask again. Mail is sent
          with this server's mail settings.
        </p>
        <a href={href('/login')}>Back to sign-in</a>
      </AuthCard>
    );
  }
  return (
    <AuthCard
      title="Reset your password"
      intro="Enter the email of your admin account: Plinth mails you a link to choose a new password."
    >
      <form onSubmit={submit} className="stack">
        <ErrorBanner error={error} />
        <Field label="Email">
          <input
            type="email"
            name="email"
            required
            autoComplete="username"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            autoFocus
          />
        </Field>
        <Button kind="primary" type="submit" busy={busy}>
          Mail me a reset link
        </Button>
      </form>
      <a href={href('/login')}>Back to sign-in</a>
    </AuthCard>
  );
}

/** The page the reset mail links to (`#/reset-password?token=…`): sets the new password. */
export function ResetPasswordPage({ token }: { token: string }) {
  const pair = usePasswordPair();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [errs, setErrs] = useState<Record<string, string>>({});
  const [done, setDone] = useState(false);

  if (!token) {
    return (
      <AuthCard title="Reset link incomplete">
        <ErrorBanner error="This page needs the whole link from the reset mail (it ends with ?token=…). Open it again from the mail, or ask for a new one." />
        <a href={href('/forgot-password')}>Ask for a new link</a>
      </AuthCard>
    );
  }
  if (done) {
    return (
      <AuthCard title="Password changed">
        <Notice>Your new password is set. Every session of your account has ended: sign in again.</Notice>
        <a href={href('/login')}>Sign in</a>
      </AuthCard>
    );
  }

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError('');
    setErrs({});
    if (pair.mismatch()) {
      setErrs({ passwordConfirm: pair.mismatch() });
      return;
    }
    setBusy(true);
    try {
      await client.admins.confirmPasswordReset(token, pair.password, pair.confirm);
      setDone(true);
    } catch (err) {
      setError(describeError(err));
      setErrs(errorsByPath(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <AuthCard
      title="Choose a new password"
      intro="Setting it ends every session of your account, in every browser."
    >
      <form onSubmit={submit} className="stack">
        <ErrorBanner error={error} />
        <PasswordFields
          pair={pair}
          errors={{ password: errs.password, confirm: errs.passwordConfirm }}
          labels={{ password: 'New password', confirm: 'New password again' }}
          autoFocus
        />
        <Button kind="primary" type="submit" busy={busy}>
          Set the new password
        </Button>
      </form>
      <p className="muted small">
        Link used or expired? <a href={href('/forgot-password')}>Ask for a new one</a>.
      </p>
    </AuthCard>
  );
}
