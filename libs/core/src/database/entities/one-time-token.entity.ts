import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Single-use tokens with an expiry: setup links, OAuth codes, verification and reset links.
 * Only the hash is stored; `maintenance.cleanup` deletes expired rows.
 */
@Entity({ name: 'one_time_token', schema: 'plinth' })
export class OneTimeTokenEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('text')
  purpose!: string;

  @Index({ unique: true })
  @Column('text', { name: 'token_hash' })
  tokenHash!: string;

  @Column('text', { nullable: true })
  subject!: string | null;

  @Column('jsonb', { default: () => "'{}'::jsonb" })
  data!: Record<string, unknown>;

  @Index()
  @Column('timestamptz', { name: 'expires_at' })
  expiresAt!: Date;

  @CreateDateColumn({ type: 'timestamptz' })
  created!: Date;
}
