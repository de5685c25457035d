/** `{identity, password}`: the sign-in body of admins and app users (PocketBase's shape). */
export const signInSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['identity', 'password'],
  properties: {
    // PostgreSQL cannot hold NUL, so it is refused here rather than failing in a query.
    identity: { type: 'string', minLength: 1, maxLength: 320, pattern: '^[^\\u0000]*$' },
    password: { type: 'string', minLength: 1, maxLength: 1024, pattern: '^[^\\u0000]*$' },
  },
};
