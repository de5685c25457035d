/** `{identity, password}`: the sign-in body of admins and app users (PocketBase's shape). */
export const signInSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['identity', 'password'],
  properties: {
    identity: { type: 'string', minLength: 1, maxLength: 320 },
    password: { type: 'string', minLength: 1, maxLength: 1024 },
  },
};
