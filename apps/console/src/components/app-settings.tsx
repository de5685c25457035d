import type { SettingsStatus } from '@plinth/sdk';
import './extras.css';

type AppValue = SettingsStatus['app']['name'];

function Source({ v, fallback }: { v: AppValue; fallback: string }) {
  return (
    <span className="muted small">
      {v.fromEnvironment ? (
        <>
          from the environment variable <code>{v.variable}</code>
        </>
      ) : (
        <>
          {fallback}: <code>{v.variable}</code> is not set
        </>
      )}
    </span>
  );
}

/** The app's identity: read-only here, because servers read it from their environment at start. */
export function AppSettings({ app }: { app: SettingsStatus['app'] }) {
  return (
    <section className="card settings-section" data-section="app" aria-labelledby="app-settings-title">
      <div className="section-head">
        <h2 id="app-settings-title">App</h2>
      </div>
      <dl className="kv">
        <dt>App name</dt>
        <dd data-testid="app-name">
          {app.name.value} <Source v={app.name} fallback="the default" />
        </dd>
        <dt>Public URL</dt>
        <dd data-testid="app-public-url">
          <code>{app.publicUrl.value}</code> <Source v={app.publicUrl} fallback="the default" />
        </dd>
        <dt>App URL</dt>
        <dd data-testid="app-url">
          {app.appUrl.value ? <code>{app.appUrl.value}</code> : <em>not set</em>}{' '}
          <Source v={app.appUrl} fallback="no link back" />
        </dd>
      </dl>
      <p className="field-hint">
        The app name is used in mails and account pages; the public URL in setup links, sign-in callbacks and
        mail links; the app URL is linked from the account pages. Every server reads them from its environment
        when it starts: change them there (docker/example.env lists them) and restart.
      </p>
    </section>
  );
}
