import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { adminToken, api } from '../support/auth.js';
import { createUser, ok } from '../support/records.js';
import { startIsolatedApp } from '../support/start-app.js';

type App = Awaited<ReturnType<typeof startIsolatedApp>>;

/**
 * Issue 16 item 11: rule text names hidden fields (and the logic that guards records), so the
 * OpenAPI document shows it to admins only.
 */
describe('abuse: the OpenAPI document does not show rule text to non-admins', () => {
  let t: App;
  let admin: ReturnType<typeof api>;

  beforeAll(async () => {
    t = await startIsolatedApp();
    admin = api(t, await adminToken(t));
    ok(
      await admin('POST', '/api/collections', {
        name: 'notes',
        fields: [
          { name: 'title', type: 'text' },
          { name: 'owner_code', type: 'text', hidden: true },
        ],
        listRule: "owner_code = 'x-41' || title = 'public'",
        viewRule: "owner_code = 'x-41'",
        createRule: '@request.auth.id != ""',
        updateRule: "owner_code = 'x-41'",
        deleteRule: "owner_code = 'x-41'",
      }),
    );
  });
  afterAll(async () => t?.stop());

  it('anonymous and signed-in users see that a rule applies, not its text; admins see the text', async () => {
    const user = await createUser(t, 'Reader');
    for (const who of [api(t), api(t, user.token)]) {
      for (const path of ['/api/openapi.json', '/api/openapi-3.0.json']) {
        const res = await who('GET', path);
        expect(res.status).toBe(200);
        const text = JSON.stringify(res.body);
        const leaked = ['owner_code', 'x-41', '@request.auth.id'].filter((w) => text.includes(w));
        expect({ path, leaked }).toEqual({ path, leaked: [] });
        const list = res.body.paths['/api/collections/notes/records'].get;
        expect(list.description).toMatch(/list rule/);
        expect(list.description).toMatch(/admins/);
      }
    }
    const full = await admin('GET', '/api/openapi.json');
    expect(full.status).toBe(200);
    expect(full.body.paths['/api/collections/notes/records'].get.description).toContain(
      "owner_code = 'x-41' || title = 'public'",
    );
  });
});
