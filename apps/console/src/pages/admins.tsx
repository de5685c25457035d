import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { AdminModel } from '@plinth/sdk';
import { authStore, client, describeError, errorsByPath, signOut } from '../api/client';
import {
  Button,
  ConfirmDialog,
  ErrorBanner,
  Field,
  Notice,
  PageHeader,
  Spinner,
  formatDate,
} from '../components/ui';
import { AdminAuthenticator } from '../components/admin-authenticator';
import { PasswordFields, usePasswordPair } from '../components/password-fields';
import { navigate } from '../router';

/**
 * The signed-in admin's account (password, sign out everywhere) and the list of admins, where any
 * admin but the last can be deleted.
 */
export function AdminsPage() {
  const me = String(authStore.record?.id ?? '');
  const [admins, setAdmins] = useState<AdminModel[] | null>(null);
  const [error, setError] = useState('');
  const [deleting, setDeleting] = useState<AdminModel | null>(null);
  const [deleteBusy, setDeleteBusy] = useState(false);
  const [deleteError, setDeleteError] = useState('');
  const [endingAll, setEndingAll] = useState(false);
  const [endAllBusy, setEndAllBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      setAdmins(await client.admins.list());
    } catch (err) {
      setError(describeError(err));
    }
  }, []);
  useEffect(() => void load(), [load]);

  const remove = async () => {
    if (!deleting) return;
    setDeleteBusy(true);
    try {
      await client.admins.delete(deleting.id);
      // Deleting oneself ended this session too.
      if (deleting.id === me) {
        await signOut();
        navigate('/login');
        return;
      }
      setDeleting(null);
      await load();
    } catch (err) {
      setDeleteError(describeError(err));
    } finally {
      setDeleteBusy(false);
    }
  };

  const endAll = async () => {
    setEndAllBusy(true);
    await signOut({ all: true });
    navigate('/login');
  };

  return (
    <>
      <PageHeader title="Admins" subtitle="Your account, and everyone who may sign in to this console." />
      <div className="grid-2">
        <ChangePassword />
        <section className="card" aria-labelledby="sessions-title">
          <h2 id="sessions-title">Sessions</h2>
          <p className="muted">
            Each sign-in is a session of its own; it ends when you sign out, or at the latest a fixed time
            after you signed in. Signed in somewhere you no longer are? End them all, this one too.
          </p>
          <Button kind="danger" onClick={() => setEndingAll(true)}>
            Sign out everywhere
          </Button>
        </section>
        <AdminAuthenticator />
      </div>
      <ErrorBanner error={error} />
      {admins === null && !error ? <Spinner /> : null}
      {admins ? (
        <div className="table-wrap">
          <table className="table" data-testid="admins-table">
            <thead>
              <tr>
                <th>Email</th>
                <th className="hide-phone">Created</th>
                <th className="actions-col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {admins.map((a) => (
                <tr key={a.id}>
                  <td className="strong">
                    {a.email} {a.id === me ? <span className="badge">you</span> : null}
                  </td>
                  <td className="muted hide-phone">{formatDate(a.created)}</td>
                  <td className="actions-col">
                    <Button
                      small
                      kind="ghost"
                      onClick={() => {
                        setDeleteError('');
                        setDeleting(a);
                      }}
                    >
                      Delete
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <p className="muted small">
        Add an admin with <code>npm run plinth -- admin create &lt;email&gt;</code>. A forgotten password is
        reset by mail from the sign-in page (&ldquo;Forgot password?&rdquo;), or on the server with{' '}
        <code>npm run plinth -- admin reset-password &lt;email&gt;</code>.
      </p>
      <ConfirmDialog
        open={!!deleting}
        title={`Delete the admin ${deleting?.email ?? ''}?`}
        confirmLabel="Delete admin"
        busy={deleteBusy}
        error={deleteError}
        onClose={() => setDeleting(null)}
        onConfirm={() => void remove()}
      >
        <p>
          {deleting?.id === me ? 'You will be signed out at once. ' : 'Their sessions end at once. '}
          The last admin cannot be deleted.
        </p>
      </ConfirmDialog>
      <ConfirmDialog
        open={endingAll}
        title="Sign out everywhere?"
        confirmLabel="Sign out everywhere"
        busy={endAllBusy}
        onClose={() => setEndingAll(false)}
        onConfirm={() => void endAll()}
      >
        <p>Every session of your account ends, in every browser and this one; sign in again afterwards.</p>
      </ConfirmDialog>
    </>
  );
}

function ChangePassword() {
  const [current, setCurrent] = useState('');
  const pair = usePasswordPair();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [errs, setErrs] = useState<Record<string, string>>({});
  const [done, setDone] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError('');
    setErrs({});
    setDone(false);
    if (pair.mismatch()) {
      setErrs({ passwordConfirm: pair.mismatch() });
      return;
    }
    setBusy(true);
    try {
      await client.admins.changePassword(current, pair.password);
      setCurrent('');
      pair.clear();
      setDone(true);
    } catch (err) {
      setError(describeError(err));
      setErrs(errorsByPath(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby="password-title">
      <h2 id="password-title">Change your password</h2>
      <form className="stack" onSubmit={submit}>
        {done ? <Notice>Password changed. Your other sessions have ended; this one goes on.</Notice> : null}
        <ErrorBanner error={error} />
        <Field label="Current password" error={errs.currentPassword}>
          <input
            type="password"
            name="currentPassword"
            required
            autoComplete="current-password"
            value={current}
            onChange={(e) => setCurrent(e.target.value)}
          />
        </Field>
        <PasswordFields
          pair={pair}
          errors={{ password: errs.password, confirm: errs.passwordConfirm }}
          labels={{ password: 'New password', confirm: 'New password again' }}
          names={{ password: 'newPassword', confirm: 'newPasswordConfirm' }}
        />
        <div>
          <Button kind="primary" type="submit" busy={busy}>
            Change password
          </Button>
        </div>
      </form>
    </section>
  );
}
