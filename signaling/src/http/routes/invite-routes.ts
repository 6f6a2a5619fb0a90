import type { Middleware } from 'koa';
import {
  classResponseSchema,
  guestJoinRequestSchema,
  guestJoinResponseSchema,
  inviteCodeParamSchema,
  invitePreviewResponseSchema,
} from '@educloud/protocol';
import type { ClassService } from '../../classes/class-service.js';
import { who, type RouteTable } from '../route-table.js';

export function addInviteRoutes(
  routes: RouteTable,
  classes: ClassService,
  guestLimit: Middleware,
): void {
  routes
    .add({
      method: 'get',
      path: '/api/invites/:code',
      summary: 'What class an invite link opens',
      tag: 'invites',
      audience: 'public',
      params: inviteCodeParamSchema,
      responses: { 200: { description: 'The class', schema: invitePreviewResponseSchema } },
      handler: async ({ params }) => ({
        status: 200,
        body: await classes.invitePreview(params.code),
      }),
    })
    .add({
      method: 'post',
      path: '/api/invites/:code/join',
      summary: 'Join a class with an account',
      tag: 'invites',
      audience: 'account',
      params: inviteCodeParamSchema,
      responses: { 200: { description: 'Joined', schema: classResponseSchema } },
      handler: async ({ principal, params }) => ({
        status: 200,
        body: { class: await classes.joinByInvite(who(principal), params.code) },
      }),
    })
    .add({
      method: 'post',
      path: '/api/invites/:code/guest',
      summary: 'Join a class as a guest with only a display name',
      tag: 'invites',
      audience: 'public',
      params: inviteCodeParamSchema,
      body: guestJoinRequestSchema,
      before: [guestLimit],
      responses: { 201: { description: 'Guest token', schema: guestJoinResponseSchema } },
      handler: async ({ params, body }) => ({
        status: 201,
        body: await classes.joinAsGuest(params.code, body.displayName),
      }),
    });
}
