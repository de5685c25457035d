import { useEffect, useState, type FormEvent } from 'react';
import type { SettingsModel, SettingsStatus } from '@plinth/sdk';
import { client, describeError, errorsByPath } from '../api/client';
import { AppSettings } from '../components/app-settings';
import { PushTriggersEditor } from '../components/push-triggers-editor';
import { HINTS, LABELS, MULTILINE, SECTION_TITLES, words } from '../components/settings-labels';
import { Button, EmptyState, ErrorBanner, Field, PageHeader, Spinner } from '../components/ui';
import '../components/extras.css';

/** Used until GET /api/settings/status answers (it names the secrets exactly). */
const SECRET_NAME =
  /secret|password|passwd|private|token|credential|apikey|api_key|accesskey|serviceaccount/i;

type Kind = 'bool' | 'number' | 'secret' | 'text' | 'list' | 'json';

/** Values a few known keys may take, shown as a select. */
const CHOICES: Record<string, string[]> = { 'storage.driver': ['local', 's3'] };

function kindOf(key: string, value: unknown, secrets?: Record<string, boolean>): Kind {
  if (secrets) {
    if (key in secrets) return 'secret';
  } else if (typeof value === 'string' && SECRET_NAME.test(key) && !/(url|endpoint|id)$/i.test(key))
    return 'secret';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return 'number';
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return 'list';
  if (value !== null && typeof value === 'object') return 'json';
  return 'text';
}

function toInput(kind: Kind, value: unknown): string | boolean {
  switch (kind) {
    case 'bool':
      return value === true;
    case 'list':
      return (value as string[]).join(', ');
    case 'json':
      return JSON.stringify(value, null, 2);
    case 'secret':
      return '';
    default:
      return value === null || value === undefined ? '' : String(value);
  }
}

/** Settings: one generic form per section the server reports; secrets keep their stored value when left empty. */
export function SettingsPage() {
  const [settings, setSettings] = useState<SettingsModel | null>(null);
  const [status, setStatus] = useState<SettingsStatus | null>(null);
  const [error, setError] = useState('');

  const loadStatus = () =>
    client.settings
      .status()
      .then(setStatus)
      .catch((err) => setError(describeError(err)));
  useEffect(() => {
    Promise.all([client.settings.get(), client.settings.status()])
      .then(([all, st]) => {
        setStatus(st);
        setSettings(all);
      })
      .catch((err) => setError(describeError(err)));
  }, []);

  return (
    <>
      <PageHeader
        title="Settings"
        subtitle="Run-time settings, stored in the database and applied on every server at once. Secrets are encrypted and never shown again: each says only whether one is stored."
        actions={<a href="#/settings/import-pocketbase">Import from PocketBase</a>}
      />
      {status ? <AppSettings app={status.app} /> : null}
      <ErrorBanner error={error} />
      {!settings && !error ? <Spinner /> : null}
      {settings && Object.keys(settings).length === 0 ? (
        <EmptyState title="No settings to change">
          The modules of this server registered no settings.
        </EmptyState>
      ) : null}
      {settings
        ? Object.entries(settings).map(([section, values]) => (
            <SettingsSection
              key={section}
              section={section}
              values={values}
              secrets={status?.secrets[section]}
              onSaved={(all) => {
                setSettings(all);
                void loadStatus();
              }}
            />
          ))
        : null}
      {settings ? <PushTriggersEditor /> : null}
    </>
  );
}

function SettingsSection(props: {
  section: string;
  values: Record<string, unknown>;
  /** Per secret key, whether a value is stored (GET /api/settings/status). */
  secrets?: Record<string, boolean>;
  onSaved: (s: SettingsModel) => void;
}) {
  const { section, values, secrets } = props;
  const kinds = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, kindOf(k, v, secrets)]));
  const [form, setForm] = useState<Record<string, string | boolean>>(() =>
    Object.fromEntries(Object.entries(values).map(([k, v]) => [k, toInput(kinds[k], v)])),
  );
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [errs, setErrs] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState('');
  const [testing, setTesting] = useState(false);

  const testConnection = async () => {
    setTesting(true);
    setError('');
    setSaved('');
    try {
      const r = await client.settings.testStorage();
      setSaved(
        `The ${r.driver === 's3' ? 'S3' : 'local'} storage answered: a test file was written, read and deleted.`,
      );
    } catch (err) {
      setError(describeError(err));
    } finally {
      setTesting(false);
    }
  };

  const [testTo, setTestTo] = useState('');
  const [testToError, setTestToError] = useState('');

  const sendTestMail = async () => {
    setError('');
    setSaved('');
    setTestToError('');
    if (!/^[^\s@]+@[^\s@]+$/.test(testTo.trim())) {
      setTestToError('Enter the address that should get the test mail.');
      return;
    }
    setTesting(true);
    try {
      const r = await client.settings.testMail(testTo.trim());
      setSaved(
        `The SMTP server ${r.server} took the test mail to ${r.to}. Check that inbox (and its spam folder).`,
      );
    } catch (err) {
      setError(describeError(err));
      const byPath = errorsByPath(err);
      if (byPath.to) setTestToError(byPath.to);
    } finally {
      setTesting(false);
    }
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError('');
    setErrs({});
    setSaved('');
    const patch: Record<string, unknown> = {};
    const local: Record<string, string> = {};
    for (const [k, kind] of Object.entries(kinds)) {
      const v = form[k];
      if (kind === 'bool') patch[k] = v === true;
      else if (kind === 'number') {
        const n = Number(v);
        if (v === '' || !Number.isFinite(n)) local[k] = 'needs a number';
        else patch[k] = n;
      } else if (kind === 'list') {
        patch[k] = String(v)
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean);
      } else if (kind === 'json') {
        try {
          patch[k] = JSON.parse(String(v));
        } catch {
          local[k] = 'is not valid JSON';
        }
      } else patch[k] = v; // a secret sent as "" keeps the stored one
    }
    if (Object.keys(local).length) {
      setErrs(local);
      setError('Some values need a fix before saving.');
      return;
    }
    setBusy(true);
    try {
      const all = await client.settings.update({ [section]: patch });
      setSaved('Saved.');
      setForm((f) =>
        Object.fromEntries(Object.entries(f).map(([k, v]) => [k, kinds[k] === 'secret' ? '' : v])),
      );
      props.onSaved(all);
    } catch (err) {
      setError(describeError(err));
      const byPath = errorsByPath(err);
      setErrs(
        Object.fromEntries(
          Object.entries(byPath).map(([p, m]) => [
            p.startsWith(`${section}.`) ? p.slice(section.length + 1).split('.')[0] : p,
            m,
          ]),
        ),
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="card settings-section" onSubmit={submit} data-section={section}>
      <div className="section-head">
        <h2>{SECTION_TITLES[section] ?? words(section)}</h2>
        <div className="page-actions">
          {section === 'storage' ? (
            <Button
              small
              busy={testing}
              onClick={() => void testConnection()}
              title="Uses the saved settings"
            >
              Test connection
            </Button>
          ) : null}
          <Button kind="primary" type="submit" small busy={busy}>
            Save {(SECTION_TITLES[section] ?? words(section)).split(/[:(]/)[0].trim().toLowerCase()}
          </Button>
        </div>
      </div>
      <ErrorBanner error={error} />
      {saved ? <div className="banner banner-ok">{saved}</div> : null}
      {section === 'mail' ? (
        <div className="test-mail" data-testid="test-mail">
          <Field
            label="Send a test mail to"
            error={testToError}
            hint="Uses the saved settings: save your changes first."
          >
            <input
              name="mail.testTo"
              type="email"
              autoComplete="email"
              placeholder="you@example.com"
              value={testTo}
              onChange={(e) => setTestTo(e.target.value)}
              onKeyDown={(e) => {
                // Enter sends the test mail instead of saving the section.
                if (e.key === 'Enter') {
                  e.preventDefault();
                  void sendTestMail();
                }
              }}
            />
          </Field>
          <Button small busy={testing} onClick={() => void sendTestMail()}>
            Send test mail
          </Button>
        </div>
      ) : null}
      <div className="grid-2">
        {Object.entries(kinds).map(([k, kind]) => {
          const set = (v: string | boolean) => setForm((f) => ({ ...f, [k]: v }));
          const name = `${section}.${k}`;
          if (kind === 'bool') {
            return (
              <label className="check" key={k}>
                <input
                  type="checkbox"
                  name={name}
                  checked={form[k] === true}
                  onChange={(e) => set(e.target.checked)}
                />{' '}
                {LABELS[name] ?? words(k)}
                {errs[k] ? <span className="field-error">{errs[k]}</span> : null}
              </label>
            );
          }
          const stored = secrets?.[k] === true;
          return (
            <Field
              key={k}
              label={LABELS[name] ?? words(k)}
              error={errs[k]}
              hint={
                kind === 'secret' ? (
                  <>
                    <span
                      className={stored ? 'secret-state stored' : 'secret-state unset'}
                      data-testid={`secret-state-${name}`}
                    >
                      {stored ? 'Stored' : 'Not set'}
                    </span>
                    {stored
                      ? '. Leave empty to keep it; type a new one to replace it.'
                      : '. Write-only: once saved it is never shown again.'}
                    {HINTS[name] ? ` ${HINTS[name]}` : ''}
                  </>
                ) : (
                  (HINTS[name] ?? (kind === 'list' ? 'Comma separated.' : undefined))
                )
              }
            >
              {CHOICES[name] ? (
                <select name={name} value={String(form[k])} onChange={(e) => set(e.target.value)}>
                  {CHOICES[name].map((c) => (
                    <option key={c}>{c}</option>
                  ))}
                </select>
              ) : kind === 'json' || (kind === 'secret' && MULTILINE.has(name)) ? (
                <textarea
                  name={name}
                  className="mono"
                  rows={4}
                  spellCheck={false}
                  autoComplete="off"
                  placeholder={kind === 'secret' ? (stored ? 'stored (not shown)' : 'not set') : undefined}
                  value={String(form[k])}
                  onChange={(e) => set(e.target.value)}
                />
              ) : (
                <input
                  name={name}
                  type={kind === 'secret' ? 'password' : kind === 'number' ? 'number' : 'text'}
                  autoComplete={kind === 'secret' ? 'new-password' : 'off'}
                  placeholder={kind === 'secret' ? (stored ? 'stored (not shown)' : 'not set') : undefined}
                  value={String(form[k])}
                  onChange={(e) => set(e.target.value)}
                />
              )}
            </Field>
          );
        })}
      </div>
    </form>
  );
}
