import {
  guestJoinResponseSchema,
  sessionResponseSchema,
  type GuestJoinResponse,
  type SessionResponse,
} from '@educloud/protocol';

/** The part of the Web Storage API the client uses, so tests can pass a Map-backed one. */
export type KeyValueStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** An account session, with its expiries converted to the local clock (see refresh-timing.ts). */
export interface StoredSession {
  response: SessionResponse;
  accessExpiresLocalMs: number;
  refreshExpiresLocalMs: number;
}

/** A guest session: valid for one class only. */
export interface StoredGuest {
  response: GuestJoinResponse;
  expiresLocalMs: number;
}

export const SESSION_KEY = 'educloud.session';
export const GUEST_KEY = 'educloud.guest';

/**
 * Where sessions live: an account session in localStorage (shared by the tabs, survives restarts),
 * a guest session in sessionStorage (one tab, gone with it: a guest is tied to one class visit).
 */
export class SessionStore {
  constructor(
    private readonly local: KeyValueStorage,
    private readonly perTab: KeyValueStorage,
  ) {}

  loadSession(): StoredSession | null {
    const raw = read(this.local, SESSION_KEY);
    if (!isRecord(raw)) return null;
    const response = sessionResponseSchema.safeParse(raw.response);
    const { accessExpiresLocalMs, refreshExpiresLocalMs } = raw;
    if (!response.success || !isTime(accessExpiresLocalMs) || !isTime(refreshExpiresLocalMs)) {
      return null;
    }
    return { response: response.data, accessExpiresLocalMs, refreshExpiresLocalMs };
  }

  saveSession(session: StoredSession | null): void {
    write(this.local, SESSION_KEY, session);
  }

  loadGuest(): StoredGuest | null {
    const raw = read(this.perTab, GUEST_KEY);
    if (!isRecord(raw)) return null;
    const response = guestJoinResponseSchema.safeParse(raw.response);
    if (!response.success || !isTime(raw.expiresLocalMs)) return null;
    return { response: response.data, expiresLocalMs: raw.expiresLocalMs };
  }

  saveGuest(guest: StoredGuest | null): void {
    write(this.perTab, GUEST_KEY, guest);
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

function isTime(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function read(storage: KeyValueStorage, key: string): unknown {
  try {
    const raw = storage.getItem(key);
    return raw ? (JSON.parse(raw) as unknown) : null;
  } catch {
    // Disabled storage (privacy settings) or a corrupt value: behave as logged out.
    return null;
  }
}

function write(storage: KeyValueStorage, key: string, value: unknown): void {
  try {
    if (value === null) storage.removeItem(key);
    else storage.setItem(key, JSON.stringify(value));
  } catch {
    // Quota or disabled storage: the session still works in memory for this page.
  }
}
