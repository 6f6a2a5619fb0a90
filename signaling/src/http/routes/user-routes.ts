import { z } from 'zod';
import {
  meResponseSchema,
  updateUserRoleRequestSchema,
  userListResponseSchema,
} from '@educloud/protocol';
import type { AccountService } from '../../auth/account-service.js';
import { HttpError } from '../http-error.js';
import type { RouteTable } from '../route-table.js';

const userIdParams = z.strictObject({ id: z.uuid({ message: 'must be a user id' }) });

export function addUserRoutes(routes: RouteTable, accounts: AccountService): void {
  routes
    .add({
      method: 'get',
      path: '/api/users',
      summary: 'List accounts (admin)',
      tag: 'users',
      audience: 'account',
      roles: ['admin'],
      responses: { 200: { description: 'Accounts', schema: userListResponseSchema } },
      handler: async () => ({ status: 200, body: { users: await accounts.listUsers() } }),
    })
    .add({
      method: 'patch',
      path: '/api/users/:id/role',
      summary: "Change an account's role (admin)",
      tag: 'users',
      audience: 'account',
      roles: ['admin'],
      params: userIdParams,
      body: updateUserRoleRequestSchema,
      responses: { 200: { description: 'Updated account', schema: meResponseSchema } },
      handler: async ({ principal, params, body }) => {
        if (principal?.userId === params.id && body.role !== 'admin') {
          throw new HttpError('conflict', 'Admins cannot demote themselves');
        }
        return { status: 200, body: { user: await accounts.setRole(params.id, body.role) } };
      },
    });
}
