import { useEffect, useState } from 'react';
import { authStore, sessionEnded, signOut as endSession } from './api/client';
import { Layout } from './components/layout';
import { AdminsPage } from './pages/admins';
import { LoginPage, SetupPage } from './pages/auth-pages';
import { ForgotPasswordPage, ResetPasswordPage } from './pages/password-reset';
import { CollectionEditorPage } from './pages/collection-editor';
import { CollectionsPage } from './pages/collections';
import { ConnectPage } from './pages/connect';
import { KeysPage } from './pages/keys';
import { PushPage } from './pages/push';
import { SchemaPage } from './pages/schema';
import { RecordsPage } from './pages/records';
import { SettingsPage } from './pages/settings';
import { PocketBaseImportPage } from './pages/pocketbase-import';
import { BackupsPage } from './pages/backups';
import { WebhooksPage } from './pages/webhooks/webhooks-page';
import { HooksPage } from './pages/hooks/hooks-page';
import { LogsPage } from './pages/logs/logs-page';
import { AuditPage } from './pages/audit/audit-page';
import { DashboardPage } from './pages/dashboard/dashboard-page';
import { HostingPage } from './pages/hosting';
import { href, navigate, useRoute } from './router';

// The page asked for while signed out: once signed in, the console goes back to it. The sign-in page
// goes to the collections itself, in the same task as the sign-in; this runs in the next one.
let returnTo = '';
authStore.onChange((token) => {
  if (!token || !returnTo) return;
  const target = returnTo;
  returnTo = '';
  setTimeout(() => window.location.replace(href(target)), 0);
});
import { SchedulesPage } from './pages/schedules/schedules-page';

function useSession() {
  const [, setTick] = useState(0);
  useEffect(() => authStore.onChange(() => setTick((n) => n + 1)), []);
  // An admin token is a JWT with an expiry; an expired one counts as signed out.
  return authStore.isValid && authStore.isAdmin ? authStore : null;
}

export function App() {
  const route = useRoute();
  const session = useSession();
  const [first] = route.segments;

  if (first === 'setup') return <SetupPage token={route.query.get('token') ?? ''} />;
  if (first === 'reset-password') return <ResetPasswordPage token={route.query.get('token') ?? ''} />;
  if (first === 'forgot-password') return <ForgotPasswordPage email={route.query.get('email') ?? ''} />;
  if (!session) {
    const qs = route.query.toString();
    returnTo = first && first !== 'login' ? `${route.path}${qs ? `?${qs}` : ''}` : '';
    const reason = sessionEnded.reason || (authStore.token ? 'Your session expired. Sign in again.' : '');
    return <LoginPage reason={reason} />;
  }
  if (first === 'login' || !first) {
    navigate('/collections');
    return null;
  }

  const signOut = () => {
    void endSession().then(() => navigate('/login'));
  };
  const email = String(session.record?.email ?? '');
  const [, second, third] = route.segments;
  let page;
  let active = '/collections';
  if (first === 'collections' && second === 'new') page = <CollectionEditorPage />;
  else if (first === 'collections' && second === 'import') page = <SchemaPage />;
  else if (first === 'collections' && second && third === 'schema')
    page = <CollectionEditorPage name={second} />;
  else if (first === 'collections' && second) page = <RecordsPage name={second} query={route.query} />;
  else if (first === 'collections') page = <CollectionsPage />;
  else if (first === 'keys') {
    page = <KeysPage />;
    active = '/keys';
  } else if (first === 'push') {
    page = <PushPage />;
    active = '/push';
  } else if (first === 'webhooks') {
    page = <WebhooksPage />;
    active = '/webhooks';
  } else if (first === 'hooks') {
    page = <HooksPage />;
    active = '/hooks';
  } else if (first === 'dashboard') {
    page = <DashboardPage />;
    active = '/dashboard';
  } else if (first === 'audit') {
    page = <AuditPage />;
    active = '/audit';
  } else if (first === 'logs') {
    page = <LogsPage />;
    active = '/logs';
  } else if (first === 'hosting') {
    page = <HostingPage />;
    active = '/hosting';
  } else if (first === 'schedules') {
    page = <SchedulesPage />;
    active = '/schedules';
  } else if (first === 'backups') {
    page = <BackupsPage />;
    active = '/backups';
  } else if (first === 'settings' && route.segments[1] === 'import-pocketbase') {
    page = <PocketBaseImportPage />;
    active = '/settings';
  } else if (first === 'settings') {
    page = <SettingsPage />;
    active = '/settings';
  } else if (first === 'admins') {
    page = <AdminsPage />;
    active = '/admins';
  } else if (first === 'connect') {
    page = <ConnectPage />;
    active = '/connect';
  } else {
    page = (
      <div className="empty">
        <h3>There is no page here</h3>
        <p>
          <a href="#/collections">Go to the collections</a>.
        </p>
      </div>
    );
  }
  return (
    <Layout active={active} email={email} onSignOut={signOut}>
      {page}
    </Layout>
  );
}
