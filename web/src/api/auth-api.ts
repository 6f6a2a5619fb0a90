import {
  meResponseSchema,
  sessionResponseSchema,
  type LoginRequest,
  type SignupRequest,
  type User,
} from '@educloud/protocol';
import type { ApiClient } from './api-client.js';

export async function signup(api: ApiClient, body: SignupRequest): Promise<User> {
  const res = await api.request('/api/auth/signup', {
    method: 'POST',
    body,
    auth: 'none',
    schema: sessionResponseSchema,
  });
  return api.startSession(res).response.user;
}

export async function login(api: ApiClient, body: LoginRequest): Promise<User> {
  const res = await api.request('/api/auth/login', {
    method: 'POST',
    body,
    auth: 'none',
    schema: sessionResponseSchema,
  });
  return api.startSession(res).response.user;
}

/** Revokes the refresh token on the server; the local session ends whatever the outcome. */
export async function logout(api: ApiClient): Promise<void> {
  const session = api.getState().session;
  api.endSession('logged_out');
  if (!session) return;
  try {
    await api.request('/api/auth/logout', {
      method: 'POST',
      body: { refreshToken: session.response.refreshToken },
      auth: 'none',
    });
  } catch {
    // Offline or already revoked: the token is gone from this browser either way.
  }
}

export async function fetchMe(api: ApiClient): Promise<User> {
  const res = await api.request('/api/me', { schema: meResponseSchema });
  return res.user;
}
