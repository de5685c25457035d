import { stripHidden } from './index.js';
import { posts, users, UUID_A } from './validation.fixture.js';

const base = { id: UUID_A, created: '2024-01-01T00:00:00.000Z', updated: '2024-01-01T00:00:00.000Z' };

describe('stripHidden', () => {
  it('removes hidden fields and keeps everything else, without mutating the record', () => {
    const record = { ...base, title: 'Hello', secret: 's3cret', expand: { author: { id: 'x' } } };
    const copy = structuredClone(record);
    expect(stripHidden(record, posts())).toEqual({
      ...base,
      title: 'Hello',
      expand: { author: { id: 'x' } },
    });
    expect(record).toEqual(copy);
  });

  it('always removes secrets, even when nobody declared them', () => {
    const record = {
      ...base,
      title: 'x',
      password_hash: 'h',
      token_key: 't',
      tokenKey: 't',
      passwordHash: 'h',
    };
    expect(stripHidden(record, posts())).toEqual({ ...base, title: 'x' });
  });

  describe('auth records', () => {
    const user = { ...base, email: 'ann@example.com', verified: true, name: 'Ann', notes: 'hidden note' };

    it('hides the email unless emailVisibility is true', () => {
      expect(stripHidden({ ...user, emailVisibility: false }, users())).toEqual({
        ...base,
        emailVisibility: false,
        verified: true,
        name: 'Ann',
      });
      expect(stripHidden({ ...user }, users())).not.toHaveProperty('email');
      expect(stripHidden({ ...user, emailVisibility: 'true' }, users())).not.toHaveProperty('email');
      expect(stripHidden({ ...user, emailVisibility: true }, users())).toEqual({
        ...base,
        email: 'ann@example.com',
        emailVisibility: true,
        verified: true,
        name: 'Ann',
      });
    });

    it('shows the email to the user themself', () => {
      const out = stripHidden({ ...user, emailVisibility: false }, users(), { viewerIsOwner: true });
      expect(out.email).toBe('ann@example.com');
      expect(out).not.toHaveProperty('notes');
      expect(
        stripHidden({ ...user, emailVisibility: false }, users(), { viewerIsOwner: false }),
      ).not.toHaveProperty('email');
    });
  });

  it('keeps an email field of a base collection', () => {
    const out = stripHidden({ ...base, email: 'x@example.com' }, posts());
    expect(out.email).toBe('x@example.com');
  });
});
