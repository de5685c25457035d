import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createDataSource, newId } from '@plinth/core';
import { createTestDatabase, type TestDatabase } from '@plinth/testing';
import type { DataSource } from 'typeorm';
import { CollectionsRepository } from './collections.repository.js';

// Issue 17 moved `options: {oauth2, mailLinks}` to the top level of auth collections. The
// `plinth.collection.options` column always held those keys at its own top level, so rows written
// before the change read in the new shape as they are: no data migration is needed.

let db: TestDatabase;
let ds: DataSource;

beforeAll(async () => {
  db = await createTestDatabase();
  ds = createDataSource(db.url, { poolSize: 2 });
  await ds.initialize();
});

afterAll(async () => {
  await ds?.destroy();
  await db?.drop();
});

describe('auth settings stored before the top-level shape', () => {
  const oauth2 = {
    enabled: true,
    redirectAllowList: ['https://app.example/auth'],
    providers: [{ name: 'google', clientId: 'c', clientSecret: 'sealed:v1:abc' }],
  };
  const mailLinks = { verification: 'https://app.example/verify?token={token}' };

  it('read as top-level oauth2 and mailLinks, and are written back unchanged', async () => {
    const id = newId();
    // What the repository wrote then: `JSON.stringify(def.options)` with def.options = {oauth2, mailLinks}.
    await db.query(
      `INSERT INTO plinth.collection (id, name, type, fields, indexes, options) VALUES ($1, 'members', 'auth', '[]', '[]', $2)`,
      [id, JSON.stringify({ oauth2, mailLinks })],
    );
    const repo = new CollectionsRepository(ds);
    const def = (await repo.all()).find((c) => c.id === id)!;
    expect(def).toMatchObject({ name: 'members', type: 'auth', oauth2, mailLinks });
    expect(def).not.toHaveProperty('options');

    await repo.upsert(ds.manager, { ...def, authRule: 'verified = true' });
    const { rows } = await db.query<{ options: unknown }>(
      'SELECT options FROM plinth.collection WHERE id = $1',
      [id],
    );
    expect(rows[0]!.options).toEqual({ oauth2, mailLinks, authRule: 'verified = true' });
  });
});
