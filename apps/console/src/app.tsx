import { useEffect, useState } from 'react';
import { authStore, sessionEnded, signOut as endSession } from './api/client';
import { Layout } from './components/layout';
import { AdminsPage } from './pages/admins';
import { LoginPage, SetupPage } from './pages/auth-pages';
import { CollectionEditorPage } from './pages/collection-editor';
import { CollectionsPage } from './pages/collections';
import { KeysPage } from './pages/keys';
import { PushPage } from './pages/push';
import { SchemaPage } from './pages/schema';
import { RecordsPage } from './pages/records';
import { SettingsPage } from './pages/settings';
import { WebhooksPage } from './pages/webhooks/webhooks-page';
import { SchedulesPage } from './pages/schedules/schedules-page';
import { navigate, useRoute } from './router';

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
  if (!session) {
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
  } else if (first === 'schedules') {
    page = <SchedulesPage />;
    active = '/schedules';
  } else if (first === 'settings') {
    page = <SettingsPage />;
    active = '/settings';
  } else if (first === 'admins') {
    page = <AdminsPage />;
    active = '/admins';
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
