import { useEffect, useState } from 'react';
import { client } from '../api/client';
import { Notice } from './ui';

/**
 * Whether the setup link can no longer work because an admin exists (GET /api/admins/setup). `null`
 * while unknown or when the server cannot say: the setup form then shows, and its answer explains.
 */
export function useAdminExists(): boolean | null {
  const [exists, setExists] = useState<boolean | null>(null);
  useEffect(() => {
    client.admins
      .setupStatus()
      .then((s) => setExists(s.adminExists))
      .catch(() => setExists(null));
  }, []);
  return exists;
}

/** What a used setup link shows instead of the form: an admin exists, and how to get in. */
export function SetupLinkUsed() {
  return (
    <div className="stack" data-testid="setup-link-used">
      <Notice>
        An admin exists already, so this setup link no longer works (each link creates the first admin only
        once).
      </Notice>
      <p>Sign in with that admin&apos;s email and password.</p>
      <p className="muted small">
        Lost the password? On the server run{' '}
        <code>npm run plinth -- admin reset-password you@example.com</code>, or create another admin with{' '}
        <code>npm run plinth -- admin create you@example.com</code>.
      </p>
      <a className="btn btn-primary" href="#/login">
        Go to sign-in
      </a>
    </div>
  );
}
