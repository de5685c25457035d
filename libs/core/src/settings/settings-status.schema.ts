import { bool, objectSchema, str } from '../openapi/schemas.js';

const appValue = (description: string) =>
  objectSchema(
    {
      value: str,
      variable: { ...str, description: 'The environment variable that sets it.' },
      fromEnvironment: { ...bool, description: 'false: the variable is unset and the default applies.' },
    },
    { description },
  );

/** GET /api/settings/status: which secrets are stored (true/false, never the value) and the app's identity. */
export const settingsStatusSchema = objectSchema({
  app: objectSchema({
    name: appValue('Names the app in mails and account pages (PLINTH_APP_NAME, default "Plinth").'),
    publicUrl: appValue(
      "The server's public address, in setup links, OAuth callbacks and mail links (PUBLIC_URL, default http://localhost:<PORT>).",
    ),
    appUrl: appValue('The app\'s own site, linked from the account pages (PLINTH_APP_URL; "" when unset).'),
  }),
  secrets: {
    type: 'object',
    description: 'Per settings section, per secret key: true when a value is stored.',
    additionalProperties: { type: 'object', additionalProperties: { type: 'boolean' } },
  },
});
