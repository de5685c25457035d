import { bool, dateTime, objectSchema, pageSchema, str, uuid } from '@plinth/core';

/** Answers of the auth routes, for the OpenAPI document (requests use their validation schemas). */
export const adminSchema = objectSchema(
  { id: uuid, email: { type: 'string', format: 'email' }, created: dateTime, updated: dateTime },
  { description: 'An admin.' },
);

export const adminPageSchema = pageSchema(adminSchema);

export const adminAuthResponseSchema = objectSchema(
  {
    token: { ...str, description: 'An admin access token (JWT) for Authorization: Bearer.' },
    admin: adminSchema,
  },
  { description: 'A signed-in admin.' },
);

/** An admin as PocketBase clients read a superuser (`_superusers` auth record). */
export const superuserAuthResponseSchema = objectSchema(
  {
    token: { ...str, description: 'An admin access token (JWT), the same as /api/admins answers.' },
    record: objectSchema(
      {
        collectionId: str,
        collectionName: { type: 'string', const: '_superusers' },
        id: uuid,
        email: { type: 'string', format: 'email' },
        emailVisibility: bool,
        verified: bool,
        created: dateTime,
        updated: dateTime,
      },
      { description: "The admin, shaped as a record of PocketBase's _superusers collection." },
    ),
  },
  { description: "A signed-in admin, in PocketBase's shape." },
);

/** `POST /api/admins/auth-refresh` takes no input: the bearer token is what is refreshed. */
export const adminRefreshBodySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {},
  description: 'Empty: send the admin token (still valid) as Authorization: Bearer.',
};

/** The auth answer of app users: the record is the collection's own record schema. */
export const userAuthResponseSchema = objectSchema(
  {
    token: { ...str, description: 'An access token (JWT) for Authorization: Bearer.' },
    refreshToken: {
      ...str,
      description: 'Opaque; rotated on every use of auth-refresh. Absent after a bearer refresh.',
    },
    record: { type: 'object', additionalProperties: true, description: 'The signed-in record.' },
    meta: objectSchema({ isNew: bool }, { description: 'Only after a social sign-in.', additional: true }),
  },
  { optional: ['meta', 'refreshToken'], description: 'A signed-in app user.' },
);

export const authMethodsResponseSchema = objectSchema({
  password: objectSchema({ enabled: bool, identityFields: { type: 'array', items: str } }),
  oauth2: objectSchema({
    enabled: bool,
    providers: {
      type: 'array',
      items: objectSchema({
        name: str,
        authUrl: { ...str, description: 'Start here with ?redirect=<an allow-listed app URL>.' },
      }),
    },
  }),
  mfa: objectSchema({ enabled: bool, duration: { type: 'integer' } }),
  otp: objectSchema({ enabled: bool, duration: { type: 'integer' } }),
});

export const apiKeySchema = objectSchema(
  {
    id: uuid,
    name: str,
    scopes: { type: 'array', items: str },
    created: dateTime,
    expiresAt: { type: ['string', 'null'], format: 'date-time' },
    lastUsedAt: { type: ['string', 'null'], format: 'date-time' },
  },
  { description: 'An API key (without its secret).' },
);

export const createdApiKeySchema = {
  ...apiKeySchema,
  required: [...(apiKeySchema.required as string[]), 'key'],
  properties: {
    ...(apiKeySchema.properties as object),
    key: { ...str, description: 'The secret key: shown in this answer only.' },
  },
};

export const apiKeyPageSchema = pageSchema(apiKeySchema);
