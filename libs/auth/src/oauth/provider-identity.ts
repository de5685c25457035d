/** What Plinth keeps of a provider's answer about the signed-in person. */
export interface ProviderIdentity {
  /** The provider's stable id for the person (`sub`, GitHub's numeric id). */
  id: string;
  email: string | null;
  /** True only when the provider itself says the email address is verified. */
  emailVerified: boolean;
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
/** Google has sent `email_verified` both as a boolean and as the string "true". */
const isTrue = (v: unknown): boolean => v === true || v === 'true';
const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);
const idOf = (v: unknown): string | null =>
  typeof v === 'number' && Number.isFinite(v) ? String(v) : text(v);

/** Google's OpenID userinfo (`sub`, `email`, `email_verified`). */
export function googleIdentity(userinfo: unknown): ProviderIdentity | null {
  if (!isObject(userinfo)) return null;
  const id = idOf(userinfo.sub) ?? idOf(userinfo.id);
  if (!id) return null;
  const email = text(userinfo.email);
  return {
    id,
    email,
    emailVerified: email !== null && isTrue(userinfo.email_verified ?? userinfo.verified_email),
  };
}

interface GithubEmail {
  email?: unknown;
  value?: unknown;
  primary?: unknown;
  verified?: unknown;
}

/**
 * GitHub's `/user` and `/user/emails`: the address used is the primary one, verified only when
 * GitHub marks that primary address verified. Without the list, the profile's public email counts
 * as unverified (GitHub does not say whether it is).
 */
export function githubIdentity(user: unknown, emails: unknown): ProviderIdentity | null {
  if (!isObject(user)) return null;
  const id = idOf(user.id);
  if (!id) return null;
  const list = Array.isArray(emails) ? (emails.filter(isObject) as GithubEmail[]) : [];
  const primary = list.find((e) => e.primary === true && text(e.email ?? e.value) !== null);
  if (primary) {
    return { id, email: text(primary.email ?? primary.value), emailVerified: primary.verified === true };
  }
  return { id, email: text(user.email), emailVerified: false };
}

/**
 * An OpenID Connect provider: the ID token's claims, completed by userinfo when it describes the
 * same subject (OpenID Connect Core §5.3.2: a userinfo `sub` that differs must not be used).
 */
export function oidcIdentity(idClaims: unknown, userinfo?: unknown): ProviderIdentity | null {
  if (!isObject(idClaims)) return null;
  const id = idOf(idClaims.sub);
  if (!id) return null;
  const extra = isObject(userinfo) && idOf(userinfo.sub) === id ? userinfo : {};
  const source = text(extra.email) !== null ? extra : idClaims;
  const email = text(source.email);
  return { id, email, emailVerified: email !== null && isTrue(source.email_verified) };
}
