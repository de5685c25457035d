import {
  AUTH_FILTER_FIELDS,
  authWriteProperties,
  passwordProblems,
  PASSWORD_MIN_LENGTH,
} from './auth-fields.js';

describe('auth fields', () => {
  it('documents email and password for writes', () => {
    expect(authWriteProperties('create').password).toMatchObject({
      minLength: PASSWORD_MIN_LENGTH,
      writeOnly: true,
    });
    expect(authWriteProperties('create')).not.toHaveProperty('oldPassword');
    expect(authWriteProperties('update')).toHaveProperty('oldPassword');
  });

  it('filters see email, emailVisibility and verified, never the hash', () => {
    expect(AUTH_FILTER_FIELDS.map((f) => f.name)).toEqual(['email', 'emailVisibility', 'verified']);
  });

  it('checks password confirmation and the old password', () => {
    const codes = (op: 'create' | 'update', input: Record<string, unknown>, admin = false) =>
      passwordProblems(op, input, false, admin).map((p) => `${p.key} ${p.code}`);
    expect(codes('create', { password: 'a', passwordConfirm: 'b' })).toEqual([
      'passwordConfirm PASSWORDS_DONT_MATCH',
    ]);
    expect(codes('create', { password: 'a', passwordConfirm: 'a' })).toEqual([]);
    expect(codes('update', { password: 'a' })).toEqual(['passwordConfirm REQUIRED', 'oldPassword REQUIRED']);
    expect(codes('update', { password: 'a', passwordConfirm: 'a' }, true)).toEqual([]);
  });
});
