import type { GuestJoinResponse, SessionResponse } from '@educloud/protocol';
import { refreshRequestSchema, sessionResponseSchema } from '@educloud/protocol';
import { ApiError, errorFromResponse, networkError } from './api-error.js';
import { clockOffsetMs, expiresSoon } from './refresh-timing.js';
import type { SessionStore, StoredGuest, StoredSession } from './session-store.js';

/** What a response body is checked against: any zod schema fits. */
export interface ResponseSchema<T> {
  safeParse(value: unknown): { success: true; data: T } | { success: false };
}

/**
 * Which credentials a call uses: none, the account session, or, for a class's resources,
 * the account session or else a guest token issued for that very class.
 */
export type AuthMode = 'none' | 'user' | { classId: string };

export interface RequestOptions<T> {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  auth?: AuthMode;
  /** Omit for 204 responses. */
  schema?: ResponseSchema<T>;
}

export type SessionEndReason = 'expired' | 'logged_out';

export interface SessionState {
  session: StoredSession | null;
  guest: StoredGuest | null;
  /** Why the last account session ended, so the login page can say it. */
  endReason: SessionEndReason | null;
}

export interface ApiClientOptions {
  fetch: typeof fetch;
  store: SessionStore;
  now?: () => number;
  /** Serialises refreshes across tabs, which share the rotating refresh token. */
  locks?: Pick<LockManager, 'request'>;
}

type Credential = { kind: 'user'; token: string } | { kind: 'guest'; token: string } | null;

const REFRESH_LOCK = 'educloud.refresh';

/**
 * The single way the web app talks to the REST API. It owns the session: it attaches tokens,
 * refreshes the access token shortly before it expires or when the server says it expired
 * (one refresh at a time), and ends the session when the refresh token is no longer accepted.
 */
export class ApiClient {
  private state: SessionState;
  private readonly listeners = new Set<() => void>();
  private refreshing: Promise<StoredSession | null> | null = null;
  private offsetMs = 0;
  private readonly now: () => number;

  constructor(private readonly options: ApiClientOptions) {
    this.now = options.now ?? Date.now;
    this.state = {
      session: options.store.loadSession(),
      guest: options.store.loadGuest(),
      endReason: null,
    };
  }

  getState = (): SessionState => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Another tab logged in, refreshed or logged out. */
  reloadFromStorage(): void {
    const session = this.options.store.loadSession();
    if (session?.response.refreshToken === this.state.session?.response.refreshToken) return;
    this.setState({ session, endReason: session ? null : 'logged_out' });
  }

  /** Adopts a session returned by signup, login or refresh. */
  startSession(response: SessionResponse): StoredSession {
    const session: StoredSession = {
      response,
      accessExpiresLocalMs: this.toLocal(response.accessTokenExpiresAt),
      refreshExpiresLocalMs: this.toLocal(response.refreshTokenExpiresAt),
    };
    this.options.store.saveSession(session);
    this.setState({ session, endReason: null });
    return session;
  }

  endSession(reason: SessionEndReason): void {
    this.options.store.saveSession(null);
    this.setState({ session: null, endReason: reason });
  }

  startGuest(response: GuestJoinResponse): StoredGuest {
    const guest: StoredGuest = {
      response,
      expiresLocalMs: this.toLocal(response.guestTokenExpiresAt),
    };
    this.options.store.saveGuest(guest);
    this.setState({ guest });
    return guest;
  }

  endGuest(): void {
    this.options.store.saveGuest(null);
    this.setState({ guest: null });
  }

  /** Refreshes the account session; concurrent callers share one refresh. Null: logged out. */
  refreshSession(): Promise<StoredSession | null> {
    this.refreshing ??= this.refreshOnce().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  /**
   * A currently valid token for realtime connections (socket.io, collab), refreshed first when
   * it is about to expire; the guest token when the guest session is for `classId`. Null when
   * nobody is logged in for that class.
   */
  async tokenFor(classId: string): Promise<string | null> {
    try {
      return (await this.credentialFor({ classId }))?.token ?? null;
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return null;
      throw err;
    }
  }

  async request<T = void>(path: string, opts: RequestOptions<T> = {}): Promise<T> {
    const credential = await this.credentialFor(opts.auth ?? 'user');
    let res = await this.send(path, opts, credential?.token);

    if (res.status === 401 && credential?.kind === 'user') {
      const err = await errorFromResponse(res);
      if (err.code !== 'token_expired') {
        // The token is not merely old: the session is gone (revoked, user deleted).
        this.endSession('expired');
        throw err;
      }
      const renewed = await this.refreshSession();
      if (!renewed) throw err;
      res = await this.send(path, opts, renewed.response.accessToken);
      if (res.status === 401) {
        this.endSession('expired');
        throw await errorFromResponse(res);
      }
    } else if (res.status === 401 && credential?.kind === 'guest') {
      this.endGuest();
      throw await errorFromResponse(res);
    }

    if (!res.ok) throw await errorFromResponse(res);
    return this.readBody(res, opts.schema);
  }

  private async refreshOnce(): Promise<StoredSession | null> {
    const run = async (): Promise<StoredSession | null> => {
      const mine = this.state.session;
      // Re-read: while this tab waited for the lock, another tab may have rotated the token.
      const stored = this.options.store.loadSession();
      if (!stored) {
        if (mine) this.endSession('expired');
        return null;
      }
      if (
        stored.response.refreshToken !== mine?.response.refreshToken &&
        !expiresSoon(stored.accessExpiresLocalMs, this.now())
      ) {
        this.setState({ session: stored, endReason: null });
        return stored;
      }
      const body = refreshRequestSchema.parse({ refreshToken: stored.response.refreshToken });
      const res = await this.send('/api/auth/refresh', { method: 'POST', body }, undefined);
      if (res.ok) {
        const response = await this.readBody(res, sessionResponseSchema);
        return this.startSession(response);
      }
      const err = await errorFromResponse(res);
      // 4xx: the refresh token is expired, revoked or already used; a 5xx or 429 is transient
      // and must not log the user out.
      if (res.status >= 400 && res.status < 500 && res.status !== 429) {
        this.endSession('expired');
        return null;
      }
      throw err;
    };
    const { locks } = this.options;
    return locks ? locks.request(REFRESH_LOCK, run) : run();
  }

  private async credentialFor(auth: AuthMode): Promise<Credential> {
    if (auth === 'none') return null;
    let session = this.state.session;
    if (session) {
      if (expiresSoon(session.accessExpiresLocalMs, this.now())) {
        session = await this.refreshSession();
        if (!session) throw new ApiError(401, 'unauthorized', 'Your session has expired.');
      }
      return { kind: 'user', token: session.response.accessToken };
    }
    const guest = this.state.guest;
    if (auth !== 'user' && guest && guest.response.classId === auth.classId) {
      if (guest.expiresLocalMs > this.now()) {
        return { kind: 'guest', token: guest.response.guestToken };
      }
      this.endGuest();
    }
    throw new ApiError(401, 'unauthorized', 'Please log in.');
  }

  private async send(
    path: string,
    opts: RequestOptions<unknown>,
    token: string | undefined,
  ): Promise<Response> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
    if (token) headers.Authorization = `Bearer ${token}`;
    let res: Response;
    try {
      res = await this.options.fetch(path, {
        method: opts.method ?? 'GET',
        headers,
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
        credentials: 'same-origin',
      });
    } catch (cause) {
      throw networkError(cause);
    }
    this.offsetMs = clockOffsetMs(res.headers.get('Date'), this.now());
    return res;
  }

  private async readBody<T>(res: Response, schema: ResponseSchema<T> | undefined): Promise<T> {
    if (!schema) return undefined as T;
    let json: unknown;
    try {
      json = await res.json();
    } catch {
      throw new ApiError(res.status, 'bad_response', 'The server sent an unreadable answer.');
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new ApiError(res.status, 'bad_response', 'The server sent an unexpected answer.');
    }
    return parsed.data;
  }

  private toLocal(iso: string): number {
    const t = Date.parse(iso);
    return Number.isNaN(t) ? this.now() : t - this.offsetMs;
  }

  private setState(patch: Partial<SessionState>): void {
    this.state = { ...this.state, ...patch };
    for (const l of this.listeners) l();
  }
}
