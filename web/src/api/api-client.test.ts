import { describe, expect, it } from 'vitest';
import { classResponseSchema, type SessionResponse } from '@educloud/protocol';
import { ApiClient } from './api-client.js';
import { ApiError } from './api-error.js';
import { SESSION_KEY, SessionStore, type KeyValueStorage } from './session-store.js';

class MemoryStorage implements KeyValueStorage {
  readonly map = new Map<string, string>();
  getItem = (k: string) => this.map.get(k) ?? null;
  setItem = (k: string, v: string) => void this.map.set(k, v);
  removeItem = (k: string) => void this.map.delete(k);
}

const NOW = Date.parse('2026-01-01T12:00:00Z');
const user = {
  id: 'u1',
  email: 't@example.org',
  displayName: 'Ada',
  role: 'teacher' as const,
  createdAt: '2026-01-01T00:00:00Z',
};
const cls = {
  id: 'c1',
  title: 'Algebra',
  description: '',
  scheduledStart: null,
  scheduledEnd: null,
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
  myRole: 'teacher' as const,
};

function sessionFor(n: number, accessTtlMs = 15 * 60_000): SessionResponse {
  return {
    user,
    accessToken: `access-${n}`,
    accessTokenExpiresAt: new Date(NOW + accessTtlMs).toISOString(),
    refreshToken: `refresh-token-${n}-padding`,
    refreshTokenExpiresAt: new Date(NOW + 30 * 86_400_000).toISOString(),
  };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
const expired = () => json(401, { error: { code: 'token_expired', message: 'Token expired' } });

/** A fake server: the access token `access-<n>` is valid only for the newest n. */
function fakeServer(opts: { refreshStatus?: number } = {}) {
  let generation = 1;
  const calls: { path: string; auth: string | null; body?: string }[] = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const path = String(input);
    const headers = new Headers(init?.headers);
    calls.push({ path, auth: headers.get('Authorization'), body: init?.body as string });
    // Let concurrent callers pile up before answering, as a real network would.
    await new Promise((r) => setTimeout(r, 5));
    if (path === '/api/auth/refresh') {
      if (opts.refreshStatus) {
        return json(opts.refreshStatus, {
          error: { code: 'unauthorized', message: 'Refresh token revoked' },
        });
      }
      const sent = JSON.parse(init?.body as string) as { refreshToken: string };
      if (sent.refreshToken !== sessionFor(generation).refreshToken) {
        return json(401, { error: { code: 'unauthorized', message: 'reused' } });
      }
      generation += 1;
      return json(200, sessionFor(generation));
    }
    if (headers.get('Authorization') !== `Bearer access-${generation}`) return expired();
    if (path === '/api/classes/c1') return json(200, { class: cls });
    return json(404, { error: { code: 'not_found', message: 'Not found' } });
  };
  return { fetch, calls, generation: () => generation };
}

function clientWith(server: ReturnType<typeof fakeServer>, session?: SessionResponse) {
  const local = new MemoryStorage();
  const perTab = new MemoryStorage();
  const api = new ApiClient({
    fetch: server.fetch,
    store: new SessionStore(local, perTab),
    now: () => NOW,
  });
  if (session) api.startSession(session);
  return { api, local };
}

describe('ApiClient', () => {
  it('refreshes once for concurrent requests that hit an expired token, then retries them', async () => {
    const server = fakeServer();
    const { api, local } = clientWith(server, sessionFor(1));
    // The server already moved on (e.g. the token was rotated elsewhere): the token is rejected.
    const stale = sessionFor(0);
    api.startSession({ ...sessionFor(1), accessToken: stale.accessToken });

    const results = await Promise.all(
      [1, 2, 3].map(() => api.request('/api/classes/c1', { schema: classResponseSchema })),
    );

    expect(results.map((r) => r.class.title)).toEqual(['Algebra', 'Algebra', 'Algebra']);
    expect(server.calls.filter((c) => c.path === '/api/auth/refresh')).toHaveLength(1);
    expect(server.generation()).toBe(2);
    // The rotated refresh token is what is stored now.
    expect(local.getItem(SESSION_KEY)).toContain('refresh-token-2-padding');
    expect(api.getState().session?.response.accessToken).toBe('access-2');
  });

  it('refreshes before sending when the access token is about to expire', async () => {
    const server = fakeServer();
    const { api } = clientWith(server, sessionFor(1, 5_000));
    await api.request('/api/classes/c1', { schema: classResponseSchema });
    expect(server.calls.map((c) => c.path)).toEqual(['/api/auth/refresh', '/api/classes/c1']);
    expect(server.calls[1]?.auth).toBe('Bearer access-2');
  });

  it('logs out when the refresh token is refused', async () => {
    const server = fakeServer({ refreshStatus: 401 });
    const { api, local } = clientWith(server, sessionFor(0));
    const seen: (string | null)[] = [];
    api.subscribe(() => seen.push(api.getState().endReason));

    await expect(api.request('/api/classes/c1', { schema: classResponseSchema })).rejects.toThrow(
      ApiError,
    );
    expect(api.getState().session).toBeNull();
    expect(api.getState().endReason).toBe('expired');
    expect(local.getItem(SESSION_KEY)).toBeNull();
    expect(seen).toContain('expired');
  });

  it('keeps the session when the refresh fails for a transient reason', async () => {
    const server = fakeServer({ refreshStatus: 503 });
    const { api } = clientWith(server, sessionFor(0));
    await expect(api.request('/api/classes/c1')).rejects.toMatchObject({ status: 503 });
    expect(api.getState().session).not.toBeNull();
  });

  it('sends a guest token only for the class it was issued for', async () => {
    const server = fakeServer();
    const { api } = clientWith(server);
    api.startGuest({
      user: { ...user, id: 'g1', email: null, role: 'guest' },
      classId: 'c1',
      guestToken: 'access-1',
      guestTokenExpiresAt: new Date(NOW + 3_600_000).toISOString(),
    });
    await api.request('/api/classes/c1', { auth: { classId: 'c1' }, schema: classResponseSchema });
    expect(server.calls[0]?.auth).toBe('Bearer access-1');
    await expect(api.request('/api/classes/c2', { auth: { classId: 'c2' } })).rejects.toMatchObject(
      { code: 'unauthorized' },
    );
    await expect(api.request('/api/classes')).rejects.toMatchObject({ code: 'unauthorized' });
    expect(server.calls).toHaveLength(1);
  });

  it('hands realtime connections a fresh token, or null when nobody is logged in', async () => {
    const server = fakeServer();
    const { api } = clientWith(server, sessionFor(1, 5_000));
    expect(await api.tokenFor('c1')).toBe('access-2');
    api.endSession('logged_out');
    expect(await api.tokenFor('c1')).toBeNull();
  });

  it('turns error bodies into ApiError with field errors', async () => {
    const fetch = async () =>
      json(400, {
        error: {
          code: 'validation_failed',
          message: 'Invalid request body',
          fields: [{ path: 'body.title', message: 'must not be empty' }],
        },
      });
    const api = new ApiClient({
      fetch,
      store: new SessionStore(new MemoryStorage(), new MemoryStorage()),
    });
    const err = await api.request('/api/x', { auth: 'none' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({
      status: 400,
      code: 'validation_failed',
      fields: [{ path: 'body.title', message: 'must not be empty' }],
    });
  });
});
