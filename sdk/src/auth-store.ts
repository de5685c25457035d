import { tokenExpiry } from './jwt.js';

/** The signed-in account as the store keeps it: a record of an auth collection, or an admin. */
export type AuthModel = { id: string; collectionName?: string; [key: string]: unknown };

export type AuthChangeListener = (token: string, record: AuthModel | null) => void;

/**
 * Where the client keeps its session. Implement it to keep tokens elsewhere (AsyncStorage, cookies,
 * a keychain); `MemoryAuthStore` and `LocalAuthStore` are included.
 */
export interface AuthStore {
  readonly token: string;
  readonly record: AuthModel | null;
  readonly refreshToken: string;
  /** A token is held and, if it is a JWT, it has not expired. */
  readonly isValid: boolean;
  /** True when the record is an admin (signed in through `client.admins`). */
  readonly isAdmin: boolean;
  save(token: string, record: AuthModel | null, refreshToken?: string): void;
  clear(): void;
  /** Calls `listener` after every change; returns a function that removes it. */
  onChange(listener: AuthChangeListener, fireImmediately?: boolean): () => void;
  /**
   * Optional, for a session shared by several clients (browser tabs): runs `task` while no other
   * holder of the session runs one. The client refreshes under it, so a rotating refresh token is
   * sent once (a second use ends the session everywhere).
   */
  exclusive?<T>(task: () => Promise<T>): Promise<T>;
}

interface Session {
  token: string;
  record: AuthModel | null;
  refreshToken: string;
}

const EMPTY: Session = { token: '', record: null, refreshToken: '' };

/** Session state and listeners; subclasses decide where the state lives. */
export abstract class BaseAuthStore implements AuthStore {
  private listeners = new Set<AuthChangeListener>();

  protected abstract read(): Session;
  protected abstract write(session: Session | null): void;

  get token(): string {
    return this.read().token;
  }

  get record(): AuthModel | null {
    return this.read().record;
  }

  get refreshToken(): string {
    return this.read().refreshToken;
  }

  get isValid(): boolean {
    const token = this.token;
    if (!token) return false;
    const exp = tokenExpiry(token);
    return exp === null || exp * 1000 > Date.now();
  }

  get isAdmin(): boolean {
    const record = this.record;
    return !!record && !record.collectionName;
  }

  save(token: string, record: AuthModel | null, refreshToken = ''): void {
    this.write({ token, record, refreshToken });
    this.emit();
  }

  clear(): void {
    this.write(null);
    this.emit();
  }

  onChange(listener: AuthChangeListener, fireImmediately = false): () => void {
    this.listeners.add(listener);
    if (fireImmediately) listener(this.token, this.record);
    return () => {
      this.listeners.delete(listener);
    };
  }

  protected emit(): void {
    const { token, record } = this.read();
    for (const listener of [...this.listeners]) listener(token, record);
  }
}

/** Keeps the session in memory only (Node, tests, React Native without persistence). */
export class MemoryAuthStore extends BaseAuthStore {
  private session: Session = EMPTY;

  protected read(): Session {
    return this.session;
  }

  protected write(session: Session | null): void {
    this.session = session ?? EMPTY;
  }
}

interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/**
 * Keeps the session in `localStorage` under `key`, so it survives reloads; other tabs' sign-ins and
 * sign-outs are picked up through the `storage` event. Falls back to memory where there is no
 * localStorage (server-side rendering).
 */
export class LocalAuthStore extends BaseAuthStore {
  private fallback: Session = EMPTY;
  private readonly storage: StorageLike | undefined;

  constructor(private readonly key = 'plinth_auth') {
    super();
    const g = globalThis as unknown as {
      localStorage?: StorageLike;
      addEventListener?: (type: string, cb: (e: { key: string | null }) => void) => void;
    };
    try {
      this.storage = g.localStorage;
    } catch {
      // Access to localStorage can throw (sandboxed iframes, disabled storage).
      this.storage = undefined;
    }
    g.addEventListener?.('storage', (e) => {
      if (e.key === this.key || e.key === null) this.emit();
    });
  }

  /** Tabs of one origin share the session: the Web Locks API lets one of them refresh at a time. */
  exclusive<T>(task: () => Promise<T>): Promise<T> {
    const locks = (
      globalThis as unknown as {
        navigator?: { locks?: { request(name: string, task: () => Promise<T>): Promise<T> } };
      }
    ).navigator?.locks;
    return locks ? locks.request(`plinth-auth:${this.key}`, task) : task();
  }

  protected read(): Session {
    if (!this.storage) return this.fallback;
    try {
      const raw = this.storage.getItem(this.key);
      if (!raw) return EMPTY;
      const parsed = JSON.parse(raw) as Partial<Session>;
      return {
        token: typeof parsed.token === 'string' ? parsed.token : '',
        record: parsed.record && typeof parsed.record === 'object' ? parsed.record : null,
        refreshToken: typeof parsed.refreshToken === 'string' ? parsed.refreshToken : '',
      };
    } catch {
      return EMPTY;
    }
  }

  protected write(session: Session | null): void {
    if (!this.storage) {
      this.fallback = session ?? EMPTY;
      return;
    }
    if (session) this.storage.setItem(this.key, JSON.stringify(session));
    else this.storage.removeItem(this.key);
  }
}
