/**
 * Issue 26: email one-time codes, magic links and multi-factor sign-in (PocketBase's wire, driven by the
 * unchanged `pocketbase` SDK where it has calls for them), TOTP with recovery codes, admins' TOTP.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import PocketBase, { ClientResponseError } from 'pocketbase';
import { AccountMailService, AuthEvents, type AuthEvent } from '@plinth/auth';
import { JobsService } from '@plinth/jobs';
import { eventually } from '@plinth/testing';
import { adminToken, ADMIN_EMAIL, ADMIN_PASSWORD, api } from './support/auth.js';
import { Mailbox, type ReceivedMail } from './support/mailbox.js';
import { createCollection, ok } from './support/records.js';
import { startIsolatedApp } from './support/start-app.js';

type App = Awaited<ReturnType<typeof startIsolatedApp>>;

const PASSWORD = 'first-password-123';
const LINK_BASE = 'https://app.example/magic';

let counter = 0;
const address = (name: string) => `${name}-${++counter}-${Date.now().toString(36)}@example.com`;

/** RFC 6238 (SHA-1, 6 digits, 30 s), written here apart from the server's, for the codes of the test. */
function totp(secretBase32: string, atMs = Date.now()): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const ch of secretBase32.replace(/=+$/, '')) bits += alphabet.indexOf(ch).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g)!.map((b) => parseInt(b, 2)));
  const counterBytes = Buffer.alloc(8);
  counterBytes.writeBigUInt64BE(BigInt(Math.floor(atMs / 30_000)));
  const mac = createHmac('sha1', key).update(counterBytes).digest();
  const offset = mac[19]! & 0xf;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

/** The error a rejected SDK call threw (fails the test when the call succeeded). */
async function sdkError(call: Promise<unknown>): Promise<ClientResponseError> {
  try {
    await call;
  } catch (err) {
    expect(err).toBeInstanceOf(ClientResponseError);
    return err as ClientResponseError;
  }
  throw new Error('expected the SDK call to fail');
}

const codeIn = (mail: ReceivedMail): string => {
  const match = mail.text.match(/^(\d{6,12})$/m);
  if (!match) throw new Error(`no code in the mail:\n${mail.text}`);
  return match[1]!;
};

describe('one-time codes, magic links and MFA (issue 26)', () => {
  let t: App;
  let mailbox: Mailbox;
  let admin: string;
  const events: AuthEvent[] = [];

  const pb = () => {
    const client = new PocketBase(t.url);
    client.autoCancellation(false);
    // Every request through the harness, which checks each answer against the live OpenAPI document.
    client.beforeSend = (url, options) => ({
      url,
      options: {
        ...options,
        fetch: (target: string | URL, init?: RequestInit) =>
          t.fetch(String(target).slice(t.url.length), init),
      },
    });
    return client;
  };

  /** A new account of `collection`, created by the admin (unverified unless said). */
  async function account(collection: string, name: string, verified = false) {
    const email = address(name);
    const created = ok(
      await api(t, admin)('POST', `/api/collections/${collection}/records`, {
        email,
        password: PASSWORD,
        passwordConfirm: PASSWORD,
        verified,
      }),
    ).body as { id: string };
    return { email, id: created.id };
  }

  /** The code mailed to `email` (the `n`th mail to it). */
  async function mailedCode(email: string, n = 1): Promise<string> {
    const mails = await mailbox.waitFor(email, n);
    return codeIn(mails[n - 1]!);
  }

  beforeAll(async () => {
    mailbox = await Mailbox.start();
    t = await startIsolatedApp({
      env: {
        SMTP_URL: mailbox.url,
        SMTP_FROM: 'Acme <accounts@acme.example>',
        PLINTH_APP_NAME: 'Acme',
        PLINTH_AUTH_RATE_PER_IP: '100000',
      },
    });
    t.app.get(AuthEvents).subscribe((e) => void events.push(e));
    admin = await adminToken(t);
    ok(
      await api(t, admin)('PATCH', '/api/collections/users', {
        otp: { enabled: true, linkAllowList: [LINK_BASE] },
      }),
    );
    await createCollection(t, admin, {
      name: 'staff',
      type: 'auth',
      fields: [],
      otp: { enabled: true, length: 6, duration: 300 },
      mfa: { enabled: true },
    });
  });
  afterAll(async () => {
    await t?.stop();
    await mailbox?.stop();
  });

  describe('email one-time codes through the pocketbase SDK', () => {
    it('requestOTP mails an 8-digit code that authWithOTP exchanges once for a session; codes are stored hashed', async () => {
      const user = await account('users', 'otp');
      const client = pb();
      const methods = await client.collection('users').listAuthMethods();
      expect(methods.otp).toEqual({ enabled: true, duration: 180 });
      expect(methods.mfa).toEqual({ enabled: false, duration: 0 });

      const { otpId } = await client.collection('users').requestOTP(user.email);
      const code = await mailedCode(user.email);
      expect(code).toMatch(/^\d{8}$/);
      const [mail] = mailbox.to(user.email);
      expect(mail!.subject).toBe('Your Acme sign-in code');
      expect(mail!.text).toContain('within 3 minutes');

      const { rows } = await t.db.query<{ code_hash: string; attempts: number }>(
        `SELECT code_hash, attempts FROM plinth.auth_otp WHERE id = $1`,
        [otpId],
      );
      expect(rows[0]!.code_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(rows[0]!.code_hash).not.toContain(code);

      const auth = await client.collection('users').authWithOTP(otpId, code);
      expect(auth.record).toMatchObject({ id: user.id, email: user.email, verified: true });
      expect(client.authStore.isValid).toBe(true);
      expect(events).toContainEqual(
        expect.objectContaining({
          kind: 'signin',
          method: 'otp',
          record: expect.objectContaining({ id: user.id }),
        }),
      );
      // The code proved the mailbox: the account is verified, and a password set before that no longer works.
      const old = await sdkError(pb().collection('users').authWithPassword(user.email, PASSWORD));
      expect(old.status).toBe(400);

      const again = await sdkError(pb().collection('users').authWithOTP(otpId, code));
      expect(again.status).toBe(400);
      expect(again.response.code).toBe('OTP_INVALID');
    });

    it('answers an unknown email like a known one and mails nothing', async () => {
      const nobody = address('nobody');
      const { otpId } = await pb().collection('users').requestOTP(nobody);
      expect(otpId).toMatch(/^[0-9a-f-]{36}$/);
      // Every requested mail enqueued and the mail queue run dry: nothing went to the unknown address.
      await t.app.get(AccountMailService).idle();
      const queue = t.app.get(JobsService).queue('mail');
      await eventually(async () => {
        const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
        return Object.values(counts).every((n) => n === 0);
      });
      expect(mailbox.to(nobody)).toEqual([]);
      const wrong = await sdkError(pb().collection('users').authWithOTP(otpId, '12345678'));
      expect(wrong.response.code).toBe('OTP_INVALID');
    });

    it('refuses an expired code, and codes of a collection that has OTP off', async () => {
      const user = await account('users', 'expiry');
      const { otpId } = await pb().collection('users').requestOTP(user.email);
      const code = await mailedCode(user.email);
      await t.db.query(`UPDATE plinth.auth_otp SET expires_at = now() - interval '1 second' WHERE id = $1`, [
        otpId,
      ]);
      const expired = await sdkError(pb().collection('users').authWithOTP(otpId, code));
      expect(expired.status).toBe(400);
      expect(expired.response.code).toBe('OTP_INVALID');

      await createCollection(t, admin, { name: 'nootp', type: 'auth', fields: [] });
      const off = await sdkError(pb().collection('nootp').requestOTP(user.email));
      expect(off.status).toBe(403);
      expect(off.response.code).toBe('OTP_AUTH_DISABLED');
    });

    it('allows 5 attempts per code, then locks the account after 10 wrong codes', async () => {
      const user = await account('users', 'brute');
      const first = await pb().collection('users').requestOTP(user.email);
      const code = await mailedCode(user.email);
      const wrong = code === '00000000' ? '11111111' : '00000000';
      for (let i = 0; i < 5; i++) {
        const e = await sdkError(pb().collection('users').authWithOTP(first.otpId, wrong));
        expect([e.status, e.response.code]).toEqual([400, 'OTP_INVALID']);
      }
      // The sixth try fails even with the right code, and the code is gone.
      const sixth = await sdkError(pb().collection('users').authWithOTP(first.otpId, code));
      expect([sixth.status, sixth.response.code]).toEqual([429, 'OTP_ATTEMPTS_EXCEEDED']);
      const gone = await sdkError(pb().collection('users').authWithOTP(first.otpId, code));
      expect(gone.response.code).toBe('OTP_INVALID');

      // Five more wrong codes of a new otpId reach the account's limit of failed sign-ins (10).
      const second = await pb().collection('users').requestOTP(user.email);
      await mailedCode(user.email, 2);
      for (let i = 0; i < 5; i++) await sdkError(pb().collection('users').authWithOTP(second.otpId, wrong));
      // Then even a fresh, right code is refused for now.
      const third = await pb().collection('users').requestOTP(user.email);
      const code3 = await mailedCode(user.email, 3);
      const locked = await sdkError(pb().collection('users').authWithOTP(third.otpId, code3));
      expect(locked.status).toBe(429);
      expect(locked.response.code).toBe('TOO_MANY_REQUESTS');
      expect(locked.message).toMatch(/Too many failed sign-ins for this account/);
    });
  });

  describe('magic links', () => {
    it('mails a link to an allow-listed app URL whose otpId and code sign in once', async () => {
      const user = await account('users', 'magic');
      const refused = await api(t)('POST', '/api/collections/users/request-otp', {
        email: user.email,
        redirect: 'https://evil.example/magic',
      });
      expect([refused.status, refused.body.code]).toEqual([400, 'OTP_REDIRECT_NOT_ALLOWED']);

      const asked = await api(t)('POST', '/api/collections/users/request-otp', {
        email: user.email,
        redirect: `${LINK_BASE}/done`,
      });
      expect(asked.status).toBe(200);
      const [mail] = await mailbox.waitFor(user.email);
      expect(mail!.subject).toBe('Sign in to Acme');
      const link = new URL(mail!.text.match(/https:\/\/app\.example\/magic\/done\?\S+/)![0]);
      expect(link.searchParams.get('otpId')).toBe(asked.body.otpId);
      const code = link.searchParams.get('code')!;
      expect(Buffer.from(code, 'base64url')).toHaveLength(32);

      const auth = await pb().collection('users').authWithOTP(asked.body.otpId, code);
      expect(auth.record.id).toBe(user.id);
      const replay = await sdkError(pb().collection('users').authWithOTP(asked.body.otpId, code));
      expect(replay.response.code).toBe('OTP_INVALID');
    });
  });

  describe('MFA on PocketBase wire', () => {
    it('answers the password with 401 {mfaId}; an emailed code with that mfaId completes the sign-in', async () => {
      const user = await account('staff', 'mfa', true);
      const client = pb();
      const first = await sdkError(client.collection('staff').authWithPassword(user.email, PASSWORD));
      expect(first.status).toBe(401);
      expect(first.response.code).toBe('MFA_REQUIRED');
      const mfaId = first.response.mfaId as string;
      expect(mfaId).toEqual(expect.any(String));
      expect(client.authStore.isValid).toBe(false);

      // The same factor twice is no second factor.
      const same = await sdkError(
        client.collection('staff').authWithPassword(user.email, PASSWORD, { mfaId }),
      );
      expect([same.status, same.response.code]).toEqual([400, 'MFA_SAME_FACTOR']);

      const { otpId } = await client.collection('staff').requestOTP(user.email);
      const code = await mailedCode(user.email);
      expect(code).toMatch(/^\d{6}$/);
      const auth = await client.collection('staff').authWithOTP(otpId, code, { mfaId });
      expect(auth.record.id).toBe(user.id);
      expect(client.authStore.isValid).toBe(true);
      expect(events).toContainEqual(
        expect.objectContaining({ kind: 'signin', method: 'otp', factors: ['password', 'otp'] }),
      );
      // Used up with the sign-in.
      const reused = await sdkError(
        client.collection('staff').authWithPassword(user.email, PASSWORD, { mfaId }),
      );
      expect(reused.response.code).toBe('MFA_INVALID');
    });

    it('refuses an mfaId of another account, of another collection, or expired; never a session', async () => {
      const ann = await account('staff', 'ann', true);
      const bob = await account('staff', 'bob', true);
      const annFirst = await sdkError(pb().collection('staff').authWithPassword(ann.email, PASSWORD));
      const annMfa = annFirst.response.mfaId as string;

      // Bob's code with Ann's mfaId.
      const bobOtp = await pb().collection('staff').requestOTP(bob.email);
      const bobCode = await mailedCode(bob.email);
      const crossed = await sdkError(
        pb().collection('staff').authWithOTP(bobOtp.otpId, bobCode, { mfaId: annMfa }),
      );
      expect([crossed.status, crossed.response.code]).toEqual([400, 'MFA_INVALID']);

      // Ann's mfaId at another collection.
      const user = await account('users', 'other');
      const other = await sdkError(
        pb().collection('users').authWithPassword(user.email, PASSWORD, { mfaId: annMfa }),
      );
      expect([other.status, other.response.code]).toEqual([400, 'MFA_INVALID']);

      await t.db.query(`UPDATE plinth.auth_mfa SET expires_at = now() - interval '1 second' WHERE id = $1`, [
        annMfa,
      ]);
      const annOtp = await pb().collection('staff').requestOTP(ann.email);
      const annCode = await mailedCode(ann.email);
      const expired = await sdkError(
        pb().collection('staff').authWithOTP(annOtp.otpId, annCode, { mfaId: annMfa }),
      );
      expect([expired.status, expired.response.code]).toEqual([400, 'MFA_INVALID']);
    });
  });

  describe('TOTP', () => {
    it('enrols with a QR URI, confirms with a first code, then asks for it after the password; recovery codes work once', async () => {
      const user = await account('users', 'totp', true);
      const signIn = (mfaId?: string) =>
        api(t)('POST', '/api/collections/users/auth-with-password', {
          identity: user.email,
          password: PASSWORD,
          ...(mfaId ? { mfaId } : {}),
        });
      const session = ok(await signIn()).body as { token: string };
      const me = api(t, session.token);

      expect((await api(t)('POST', '/api/collections/users/totp/enroll')).status).toBe(401);
      expect((await api(t, admin)('POST', '/api/collections/users/totp/enroll')).status).toBe(403);
      const enrolled = ok(await me('POST', '/api/collections/users/totp/enroll')).body as {
        secret: string;
        uri: string;
      };
      expect(enrolled.uri).toBe(
        `otpauth://totp/Acme:${encodeURIComponent(user.email)}?secret=${enrolled.secret}&issuer=Acme&algorithm=SHA1&digits=6&period=30`,
      );
      const bad = await me('POST', '/api/collections/users/totp/confirm', {
        code: '000000' === totp(enrolled.secret) ? '111111' : '000000',
      });
      expect([bad.status, bad.body.code]).toEqual([400, 'TOTP_CODE_INVALID']);
      const now = Date.now();
      const confirmed = ok(
        await me('POST', '/api/collections/users/totp/confirm', { code: totp(enrolled.secret, now) }),
      ).body as { recoveryCodes: string[] };
      expect(confirmed.recoveryCodes).toHaveLength(10);
      expect(new Set(confirmed.recoveryCodes).size).toBe(10);
      expect(ok(await me('GET', '/api/collections/users/totp')).body).toMatchObject({
        enrolled: true,
        confirmed: true,
        recoveryCodesLeft: 10,
      });
      expect(events).toContainEqual(expect.objectContaining({ kind: 'mfa-enrolled' }));
      const { rows } = await t.db.query<{ secret: string }>(
        `SELECT secret FROM plinth.auth_totp WHERE record_id = $1`,
        [user.id],
      );
      expect(rows[0]!.secret).not.toContain(enrolled.secret);

      // The password alone no longer signs in.
      const first = await signIn();
      expect([first.status, first.body.code]).toEqual([401, 'MFA_REQUIRED']);
      const mfaId = first.body.mfaId as string;
      // The code that confirmed the enrolment is used up.
      const replay = await api(t)('POST', '/api/collections/users/auth-with-totp', {
        mfaId,
        code: totp(enrolled.secret, now),
      });
      expect([replay.status, replay.body.code]).toEqual([400, 'TOTP_CODE_INVALID']);
      const next = ok(
        await api(t)('POST', '/api/collections/users/auth-with-totp', {
          mfaId,
          code: totp(enrolled.secret, now + 30_000),
        }),
      ).body;
      expect(next.record.id).toBe(user.id);
      expect(events).toContainEqual(
        expect.objectContaining({ kind: 'signin', factors: ['password', 'totp'] }),
      );

      // A recovery code in place of the authenticator, once.
      const recovery = confirmed.recoveryCodes[0]!;
      const viaRecovery = ok(
        await api(t)('POST', '/api/collections/users/auth-with-totp', {
          mfaId: (await signIn()).body.mfaId,
          code: recovery.toUpperCase(),
        }),
      ).body;
      expect(viaRecovery.record.id).toBe(user.id);
      const again = await api(t)('POST', '/api/collections/users/auth-with-totp', {
        mfaId: (await signIn()).body.mfaId,
        code: recovery,
      });
      expect([again.status, again.body.code]).toEqual([400, 'TOTP_CODE_INVALID']);

      // An admin sees the factor and resets it (a lost phone): the password alone signs in again.
      expect(
        ok(await api(t, admin)('GET', `/api/collections/users/records/${user.id}/mfa`)).body,
      ).toMatchObject({
        confirmed: true,
        recoveryCodesLeft: 9,
      });
      expect(
        (await api(t, session.token)('GET', `/api/collections/users/records/${user.id}/mfa`)).status,
      ).toBe(403);
      expect((await api(t, admin)('DELETE', `/api/collections/users/records/${user.id}/mfa`)).status).toBe(
        204,
      );
      expect((await signIn()).status).toBe(200);
      expect(events).toContainEqual(expect.objectContaining({ kind: 'mfa-removed' }));
    });

    it("lets an admin enrol TOTP for the console's sign-in", async () => {
      const session = api(t, admin);
      const { secret } = ok(await session('POST', '/api/admins/me/totp/enroll')).body as { secret: string };
      const now = Date.now();
      const { recoveryCodes } = ok(
        await session('POST', '/api/admins/me/totp/confirm', { code: totp(secret, now) }),
      ).body as { recoveryCodes: string[] };
      const password = await api(t)('POST', '/api/admins/auth-with-password', {
        identity: ADMIN_EMAIL,
        password: ADMIN_PASSWORD,
      });
      expect([password.status, password.body.code]).toEqual([401, 'MFA_REQUIRED']);
      const wrong = await api(t)('POST', '/api/admins/auth-with-totp', {
        mfaId: password.body.mfaId,
        code: 'aaaaa-bbbbb',
      });
      expect([wrong.status, wrong.body.code]).toEqual([400, 'TOTP_CODE_INVALID']);
      const signedIn = ok(
        await api(t)('POST', '/api/admins/auth-with-totp', {
          mfaId: password.body.mfaId,
          code: totp(secret, now + 30_000),
        }),
      ).body as { token: string; admin: { email: string } };
      expect(signedIn.admin.email).toBe(ADMIN_EMAIL);
      // Removed with a recovery code: the password alone signs the admin in again.
      expect(
        (await api(t, signedIn.token)('POST', '/api/admins/me/totp/remove', { code: recoveryCodes[0] }))
          .status,
      ).toBe(204);
      expect(
        (
          await api(t)('POST', '/api/admins/auth-with-password', {
            identity: ADMIN_EMAIL,
            password: ADMIN_PASSWORD,
          })
        ).status,
      ).toBe(200);
    });
  });
});
