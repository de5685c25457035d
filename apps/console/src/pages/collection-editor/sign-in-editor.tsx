import { ErrorBanner, Field } from '../../components/ui';
import type { Errs, SignInDraft } from './draft';

/** Email one-time codes, magic links and multi-factor sign-in of an auth collection. */
export function SignInEditor(props: { value: SignInDraft; errs: Errs; onChange: (v: SignInDraft) => void }) {
  const { value: s, errs } = props;
  const set = (patch: Partial<SignInDraft>) => props.onChange({ ...s, ...patch });
  const linkErrors = Object.entries(errs)
    .filter(([k]) => k.startsWith('otp.linkAllowList'))
    .map(([, v]) => v)
    .join('; ');
  return (
    <div className="stack">
      <h3>One-time codes</h3>
      <p className="muted">
        Users ask for a code by email and sign in with it, without a password (PocketBase&apos;s requestOTP
        and authWithOTP). A code works once and dies after 5 wrong tries.
      </p>
      <ErrorBanner error={errs.otp} />
      <label className="check">
        <input
          type="checkbox"
          name="otp-enabled"
          checked={s.otpEnabled}
          onChange={(e) => set({ otpEnabled: e.target.checked })}
        />{' '}
        sign-in with emailed codes switched on
      </label>
      <div className="grid-2">
        <Field label="Code lifetime (seconds)" error={errs['otp.duration']}>
          <input
            name="otp-duration"
            inputMode="numeric"
            value={s.otpDuration}
            onChange={(e) => set({ otpDuration: e.target.value })}
          />
        </Field>
        <Field label="Digits per code" error={errs['otp.length']}>
          <input
            name="otp-length"
            inputMode="numeric"
            value={s.otpLength}
            onChange={(e) => set({ otpLength: e.target.value })}
          />
        </Field>
      </div>
      <Field
        label="Magic-link allow-list (one app URL per line)"
        hint="A request with redirect=<URL> mails a one-click link to that page with ?otpId=&code=; leave empty for no magic links."
        error={linkErrors || undefined}
      >
        <textarea
          name="linkAllowList"
          className="mono"
          rows={2}
          value={s.linkAllowList}
          placeholder="https://app.example/magic"
          onChange={(e) => set({ linkAllowList: e.target.value })}
        />
      </Field>
      <h3>Multi-factor sign-in</h3>
      <p className="muted">
        When on, a first factor (password, code or social sign-in) answers 401 with an mfaId, and a second,
        different factor completes the sign-in. Users with an authenticator app always give its code.
      </p>
      <ErrorBanner error={errs.mfa} />
      <label className="check">
        <input
          type="checkbox"
          name="mfa-enabled"
          checked={s.mfaEnabled}
          onChange={(e) => set({ mfaEnabled: e.target.checked })}
        />{' '}
        two factors required
      </label>
      <div className="grid-2">
        <Field label="Time for the second factor (seconds)" error={errs['mfa.duration']}>
          <input
            name="mfa-duration"
            inputMode="numeric"
            value={s.mfaDuration}
            onChange={(e) => set({ mfaDuration: e.target.value })}
          />
        </Field>
        <Field label="Only for accounts matching (rule, empty: everyone)" error={errs['mfa.rule']}>
          <input
            name="mfa-rule"
            className="mono"
            value={s.mfaRule}
            placeholder="role = 'admin'"
            onChange={(e) => set({ mfaRule: e.target.value })}
          />
        </Field>
      </div>
    </div>
  );
}
