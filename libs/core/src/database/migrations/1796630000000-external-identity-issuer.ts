import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * OpenID Connect subjects are unique per issuer only (OIDC Core §2: `sub` is "locally unique"), so
 * identities are keyed by issuer + subject (issue 16). Google and GitHub rows get issuer "". An OIDC
 * row takes the issuer its collection names; one whose issuer came from the environment keeps NULL
 * and is claimed by the issuer configured at its next sign-in (ExternalIdentitiesRepository).
 */
export class ExternalIdentityIssuer1796630000000 implements MigrationInterface {
  name = 'ExternalIdentityIssuer1796630000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE plinth.external_identity ADD COLUMN issuer text`);
    await q.query(`UPDATE plinth.external_identity SET issuer = '' WHERE provider <> 'oidc'`);
    await q.query(
      `UPDATE plinth.external_identity i SET issuer = rtrim(p.value->>'issuer', '/')
       FROM plinth.collection c, jsonb_array_elements(
         CASE WHEN jsonb_typeof(c.options->'oauth2'->'providers') = 'array'
              THEN c.options->'oauth2'->'providers' ELSE '[]'::jsonb END) AS p(value)
       WHERE i.provider = 'oidc' AND c.id = i.collection_id
         AND p.value->>'name' = 'oidc' AND coalesce(p.value->>'issuer', '') <> ''`,
    );
    await q.query(`DROP INDEX plinth.external_identity_provider_user_idx`);
    await q.query(
      `CREATE UNIQUE INDEX external_identity_issuer_user_idx
       ON plinth.external_identity (collection_id, provider, issuer, provider_user_id)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX plinth.external_identity_issuer_user_idx`);
    await q.query(
      `CREATE UNIQUE INDEX external_identity_provider_user_idx ON plinth.external_identity (collection_id, provider, provider_user_id)`,
    );
    await q.query(`ALTER TABLE plinth.external_identity DROP COLUMN issuer`);
  }
}
