import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import {
  ChangeOutbox,
  CollectionsRegistry,
  type CompiledCollection,
  RecordEvents,
  storedRecord,
} from '@plinth/collections';
import { EventBus } from '@plinth/core';

/** What happens to accounts of auth collections, as webhooks name it (`users.signin`). */
export const AUTH_EVENT_KINDS = [
  'signup',
  'signin',
  'password-reset',
  'verified',
  'email-changed',
  'mfa-enrolled',
  'mfa-removed',
] as const;
export type AuthEventKind = (typeof AUTH_EVENT_KINDS)[number];

export interface AuthEvent {
  kind: AuthEventKind;
  collectionId: string;
  collectionName: string;
  /** The account as stored after the change (hidden fields included, never a password hash or token key). */
  record: Record<string, unknown>;
  /** The account before the change, where it tells something (email-changed). */
  previous?: Record<string, unknown>;
  /** How a signin proved itself (the factor that completed it). */
  method?: SignInMethod;
  /** A multi-factor signin: its factors in order (`["password", "totp"]`). */
  factors?: SignInMethod[];
}

/** The factors an account signs in with (PocketBase's MFA methods, plus TOTP). */
export type SignInMethod = 'password' | 'oauth2' | 'otp' | 'totp';

/**
 * The internal bus for account events of auth collections, emitted after the change committed
 * (like RecordEvents for records). `signup` is every new account of an auth collection, however it
 * was made (sign-up through the records API, an admin, a batch, a first OAuth2 sign-in): it is
 * derived from the record create event, so it follows the `<collection>.create` of the same record.
 */
@Injectable()
export class AuthEvents extends EventBus<AuthEvent> implements OnApplicationBootstrap, OnApplicationShutdown {
  private unsubscribe?: () => void;

  constructor(
    private readonly records: RecordEvents,
    private readonly registry: CollectionsRegistry,
    private readonly outbox: ChangeOutbox,
  ) {
    super('AuthEvents', (e) => `${e.collectionName}.${e.kind} ${String(e.record.id)}`);
  }

  /**
   * One event for this account (a row as read from its table, secrets ignored): into the outbox when
   * a webhook wants it (stored before the caller answers), then to this process's subscribers.
   */
  async account(
    kind: AuthEventKind,
    c: CompiledCollection,
    row: Record<string, unknown>,
    extra: Pick<AuthEvent, 'method' | 'factors'> & { previousRow?: Record<string, unknown> } = {},
  ): Promise<void> {
    const event: AuthEvent = {
      kind,
      collectionId: c.def.id,
      collectionName: c.def.name,
      record: storedRecord(c, row),
      ...(extra.previousRow ? { previous: storedRecord(c, extra.previousRow) } : {}),
      ...(extra.method ? { method: extra.method } : {}),
      ...(extra.factors ? { factors: extra.factors } : {}),
    };
    const { kind: _kind, ...data } = event;
    await this.outbox.add([
      { type: `${c.def.name}.${kind}`, orderKey: `${c.def.id}:${String(row.id)}`, data },
    ]);
    this.emit(event);
  }

  /** Subscribed at bootstrap, after every onModuleInit subscriber: a signup comes after its create. */
  onApplicationBootstrap(): void {
    this.unsubscribe = this.records.subscribe((change) => {
      if (change.action !== 'create' || !this.registry.find(change.collectionId)?.isAuth) return;
      this.emit({
        kind: 'signup',
        collectionId: change.collectionId,
        collectionName: change.collectionName,
        record: change.record,
      });
    });
  }

  onApplicationShutdown(): void {
    this.unsubscribe?.();
  }
}
