import {
  meResponseSchema,
  sessionResponseSchema,
  type ChangePasswordRequest,
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

/** Changes the password; the server ends every other session and hands this one new tokens. */
export async function changePassword(api: ApiClient, body: ChangePasswordRequest): Promise<void> {
  const res = await api.request('/api/auth/password', {
    method: 'POST',
    body,
    schema: sessionResponseSchema,
  });
  api.startSession(res);
}

/** Ends every session of the account, this browser's included. */
export async function logoutEverywhere(api: ApiClient): Promise<void> {
  await api.request('/api/auth/logout-everywhere', { method: 'POST' });
  api.endSession('logged_out');
}

export async function fetchMe(api: ApiClient): Promise<User> {
  const res = await api.request('/api/me', { schema: meResponseSchema });
  return res.user;
}
