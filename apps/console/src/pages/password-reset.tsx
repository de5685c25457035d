import { useState } from 'react';
import { client } from '../api/client';
import { PasswordFields, usePasswordPair } from '../components/password-fields';
import { ErrorBanner, Field, Notice } from '../components/ui';
import { href } from '../router';
import { AuthCard, AuthForm } from './auth-pages';

/** "Forgot password?": asks the server to mail a reset link to the admin with this email. */
export function ForgotPasswordPage({ email: initial }: { email: string }) {
  const [email, setEmail] = useState(initial);
  const [sentTo, setSentTo] = useState('');

  const submit = async () => {
    await client.admins.requestPasswordReset(email);
    setSentTo(email);
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
      <AuthForm submitLabel="Mail me a reset link" submit={submit}>
        {() => (
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
        )}
      </AuthForm>
      <a href={href('/login')}>Back to sign-in</a>
    </AuthCard>
  );
}

/** The page the reset mail links to (`#/reset-password?token=…`): sets the new password. */
export function ResetPasswordPage({ token }: { token: string }) {
  const pair = usePasswordPair();
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

  const submit = async () => {
    if (pair.mismatch()) return { passwordConfirm: pair.mismatch() };
    await client.admins.confirmPasswordReset(token, pair.password, pair.confirm);
    setDone(true);
  };

  return (
    <AuthCard
      title="Choose a new password"
      intro="Setting it ends every session of your account, in every browser."
    >
      <AuthForm submitLabel="Set the new password" submit={submit}>
        {(errs) => (
          <PasswordFields
            pair={pair}
            errors={{ password: errs.password, confirm: errs.passwordConfirm }}
            labels={{ password: 'New password', confirm: 'New password again' }}
            autoFocus
          />
        )}
      </AuthForm>
      <p className="muted small">
        Link used or expired? <a href={href('/forgot-password')}>Ask for a new one</a>.
      </p>
    </AuthCard>
  );
}
