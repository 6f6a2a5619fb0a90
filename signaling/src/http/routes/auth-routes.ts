import type { Middleware } from 'koa';
import {
  changePasswordRequestSchema,
  loginRequestSchema,
  meResponseSchema,
  refreshRequestSchema,
  sessionResponseSchema,
  signupRequestSchema,
} from '@educloud/protocol';
import type { AccountService } from '../../auth/account-service.js';
import { HttpError } from '../http-error.js';
import { who, type RouteTable } from '../route-table.js';

export function addAuthRoutes(
  routes: RouteTable,
  accounts: AccountService,
  limits: { signup: Middleware; login: Middleware; refresh: Middleware },
): void {
  routes
    .add({
      method: 'post',
      path: '/api/auth/signup',
      summary: 'Create an account (the first one on a new server becomes admin)',
      tag: 'auth',
      audience: 'public',
      body: signupRequestSchema,
      before: [limits.signup],
      responses: { 201: { description: 'Signed up and logged in', schema: sessionResponseSchema } },
      handler: async ({ body }) => ({ status: 201, body: await accounts.signup(body) }),
    })
    .add({
      method: 'post',
      path: '/api/auth/login',
      summary: 'Log in with email and password',
      tag: 'auth',
      audience: 'public',
      body: loginRequestSchema,
      before: [limits.login],
      responses: { 200: { description: 'Logged in', schema: sessionResponseSchema } },
      handler: async ({ body }) => ({
        status: 200,
        body: await accounts.login(body.email, body.password),
      }),
    })
    .add({
      method: 'post',
      path: '/api/auth/refresh',
      summary: 'Trade a refresh token for a new access token (the refresh token rotates)',
      tag: 'auth',
      audience: 'public',
      body: refreshRequestSchema,
      before: [limits.refresh],
      responses: { 200: { description: 'New tokens', schema: sessionResponseSchema } },
      handler: async ({ body }) => ({
        status: 200,
        body: await accounts.refresh(body.refreshToken),
      }),
    })
    .add({
      method: 'post',
      path: '/api/auth/logout',
      summary: 'Revoke a refresh token',
      tag: 'auth',
      audience: 'public',
      body: refreshRequestSchema,
      responses: { 204: { description: 'Logged out' } },
      handler: async ({ body }) => {
        await accounts.logout(body.refreshToken);
        return { status: 204 };
      },
    })
    .add({
      method: 'post',
      path: '/api/auth/logout-everywhere',
      summary: "End every session of the caller's account (all devices, live connections)",
      tag: 'auth',
      audience: 'account',
      responses: { 204: { description: 'Every session ended' } },
      handler: async ({ principal }) => {
        await accounts.logoutEverywhere(who(principal).userId);
        return { status: 204 };
      },
    })
    .add({
      method: 'post',
      path: '/api/auth/password',
      summary: 'Change the password (the current one is required); other sessions end',
      tag: 'auth',
      audience: 'account',
      body: changePasswordRequestSchema,
      // Checking the current password is a password guess like any log-in.
      before: [limits.login],
      responses: {
        200: { description: 'Password changed; a new session', schema: sessionResponseSchema },
      },
      handler: async ({ principal, body }) => ({
        status: 200,
        body: await accounts.changePassword(
          who(principal).userId,
          body.currentPassword,
          body.newPassword,
        ),
      }),
    })
    .add({
      method: 'get',
      path: '/api/me',
      summary: 'The caller (account or guest)',
      tag: 'auth',
      audience: 'member',
      responses: { 200: { description: 'The caller', schema: meResponseSchema } },
      handler: async ({ principal }) => {
        const user = principal && (await accounts.getUser(principal.userId));
        if (!user) throw new HttpError('unauthorized', 'This account no longer exists');
        return { status: 200, body: { user } };
      },
    });
}
