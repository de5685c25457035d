import { Button, ErrorBanner, Field } from '../../components/ui';
import { emptyProvider, type Errs, type OAuth2Draft, type ProviderDraft } from './draft';

const PROVIDER_KEYS = ['clientId', 'clientSecret', 'authUrl', 'tokenUrl', 'userInfoUrl', 'issuer'] as const;

/** Social sign-in of an auth collection: switch, redirect allow-list and providers. */
export function OAuth2Editor(props: { value: OAuth2Draft; errs: Errs; onChange: (v: OAuth2Draft) => void }) {
  const { value: o, errs } = props;
  const base = 'oauth2';
  const setProvider = (i: number, patch: Partial<ProviderDraft>) =>
    props.onChange({ ...o, providers: o.providers.map((p, j) => (j === i ? { ...p, ...patch } : p)) });
  const listErrors = Object.entries(errs)
    .filter(([k]) => k.startsWith(`${base}.redirectAllowList`))
    .map(([, v]) => v)
    .join('; ');
  return (
    <div className="stack">
      <p className="muted">
        Users of this collection sign in with a password (at least 10 characters) and, when switched on, with
        the providers below. After a social sign-in Plinth redirects only to URLs that start with an allowed
        entry.
      </p>
      <ErrorBanner error={errs[base]} />
      <label className="check">
        <input
          type="checkbox"
          name="oauth2-enabled"
          checked={o.enabled}
          onChange={(e) => props.onChange({ ...o, enabled: e.target.checked })}
        />{' '}
        social sign-in switched on
      </label>
      <Field label="Redirect allow-list (one URL per line)" error={listErrors || errs[`${base}.enabled`]}>
        <textarea
          name="redirectAllowList"
          className="mono"
          rows={3}
          value={o.redirectAllowList}
          placeholder="https://app.example/auth"
          onChange={(e) => props.onChange({ ...o, redirectAllowList: e.target.value })}
        />
      </Field>
      {o.providers.map((p, i) => {
        const pe = (k: string) => errs[`${base}.providers.${i}.${k}`];
        return (
          <div className="card" key={p._key}>
            <div className="section-head">
              <Field label="Provider" error={pe('name') ?? errs[`${base}.providers.${i}`]}>
                <select value={p.name} onChange={(e) => setProvider(i, { name: e.target.value })}>
                  <option value="google">Google</option>
                  <option value="github">GitHub</option>
                  <option value="oidc">OpenID Connect</option>
                </select>
              </Field>
              <Button
                small
                kind="ghost"
                onClick={() => props.onChange({ ...o, providers: o.providers.filter((_, j) => j !== i) })}
              >
                Remove
              </Button>
            </div>
            <div className="grid-2">
              {PROVIDER_KEYS.filter((k) =>
                p.name === 'oidc' ? !['authUrl', 'tokenUrl', 'userInfoUrl'].includes(k) : k !== 'issuer',
              ).map((k) => (
                <Field
                  key={k}
                  label={
                    k === 'clientId'
                      ? 'Client id'
                      : k === 'clientSecret'
                        ? 'Client secret'
                        : k === 'issuer'
                          ? 'Issuer URL'
                          : `${k.replace('Url', '')} URL (optional)`
                  }
                  error={pe(k)}
                  hint={
                    k === 'clientSecret' ? 'Write-only. Leave empty to keep the stored secret.' : undefined
                  }
                >
                  <input
                    name={`provider-${i}-${k}`}
                    type={k === 'clientSecret' ? 'password' : 'text'}
                    autoComplete={k === 'clientSecret' ? 'new-password' : 'off'}
                    value={p[k]}
                    onChange={(e) => setProvider(i, { [k]: e.target.value })}
                  />
                </Field>
              ))}
            </div>
          </div>
        );
      })}
      <div>
        <Button
          onClick={() =>
            props.onChange({
              ...o,
              providers: [...o.providers, emptyProvider()],
            })
          }
        >
          + Add provider
        </Button>
      </div>
    </div>
  );
}
