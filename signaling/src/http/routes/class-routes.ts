import {
  classListResponseSchema,
  classResponseSchema,
  createClassRequestSchema,
  idParamSchema,
  inviteResponseSchema,
  memberParamSchema,
  rosterResponseSchema,
  streamKeyResponseSchema,
  updateClassRequestSchema,
} from '@educloud/protocol';
import type { ClassService } from '../../classes/class-service.js';
import { who, type RouteTable } from '../route-table.js';

export function addClassRoutes(routes: RouteTable, classes: ClassService): void {
  routes
    .add({
      method: 'get',
      path: '/api/classes',
      summary: 'Classes the caller teaches or has joined',
      tag: 'classes',
      audience: 'member',
      responses: { 200: { description: 'Classes', schema: classListResponseSchema } },
      handler: async ({ principal }) => ({
        status: 200,
        body: { classes: await classes.list(who(principal)) },
      }),
    })
    .add({
      method: 'post',
      path: '/api/classes',
      summary: 'Create a class (teachers)',
      tag: 'classes',
      audience: 'account',
      roles: ['teacher', 'admin'],
      body: createClassRequestSchema,
      responses: { 201: { description: 'Created', schema: classResponseSchema } },
      handler: async ({ principal, body }) => ({
        status: 201,
        body: { class: await classes.create(who(principal), body) },
      }),
    })
    .add({
      method: 'get',
      path: '/api/classes/:id',
      summary: 'One class',
      tag: 'classes',
      audience: 'member',
      params: idParamSchema,
      responses: { 200: { description: 'The class', schema: classResponseSchema } },
      handler: async ({ principal, params }) => ({
        status: 200,
        body: { class: await classes.get(who(principal), params.id) },
      }),
    })
    .add({
      method: 'patch',
      path: '/api/classes/:id',
      summary: 'Edit a class (its teachers)',
      tag: 'classes',
      audience: 'account',
      params: idParamSchema,
      body: updateClassRequestSchema,
      responses: { 200: { description: 'Updated', schema: classResponseSchema } },
      handler: async ({ principal, params, body }) => ({
        status: 200,
        body: { class: await classes.update(who(principal), params.id, body) },
      }),
    })
    .add({
      method: 'delete',
      path: '/api/classes/:id',
      summary: 'Delete a class (its teachers)',
      tag: 'classes',
      audience: 'account',
      params: idParamSchema,
      responses: { 204: { description: 'Deleted' } },
      handler: async ({ principal, params }) => {
        await classes.remove(who(principal), params.id);
        return { status: 204 };
      },
    })
    .add({
      method: 'get',
      path: '/api/classes/:id/roster',
      summary: 'Members of a class (its teachers)',
      tag: 'classes',
      audience: 'account',
      params: idParamSchema,
      responses: { 200: { description: 'Roster', schema: rosterResponseSchema } },
      handler: async ({ principal, params }) => ({
        status: 200,
        body: await classes.roster(who(principal), params.id),
      }),
    })
    .add({
      method: 'delete',
      path: '/api/classes/:id/members/:userId',
      summary: 'Take a member off the roster (its teachers)',
      tag: 'classes',
      audience: 'account',
      params: memberParamSchema,
      responses: { 204: { description: 'Removed' } },
      handler: async ({ principal, params }) => {
        await classes.removeMember(who(principal), params.id, params.userId);
        return { status: 204 };
      },
    })
    .add({
      method: 'post',
      path: '/api/classes/:id/invite',
      summary: 'Issue a new invite link (the old one stops working)',
      tag: 'classes',
      audience: 'account',
      params: idParamSchema,
      responses: { 200: { description: 'New invite link', schema: inviteResponseSchema } },
      handler: async ({ principal, params }) => ({
        status: 200,
        body: { inviteUrl: await classes.regenerateInvite(who(principal), params.id) },
      }),
    })
    .add({
      method: 'delete',
      path: '/api/classes/:id/invite',
      summary: 'Revoke the invite link',
      tag: 'classes',
      audience: 'account',
      params: idParamSchema,
      responses: { 200: { description: 'Revoked', schema: inviteResponseSchema } },
      handler: async ({ principal, params }) => {
        await classes.revokeInvite(who(principal), params.id);
        return { status: 200, body: { inviteUrl: null } };
      },
    })
    .add({
      method: 'get',
      path: '/api/classes/:id/stream-key',
      summary: 'OBS server URL and stream key (its teachers)',
      tag: 'classes',
      audience: 'account',
      params: idParamSchema,
      responses: { 200: { description: 'Stream settings', schema: streamKeyResponseSchema } },
      handler: async ({ principal, params }) => ({
        status: 200,
        body: await classes.streamKey(who(principal), params.id),
      }),
    })
    .add({
      method: 'post',
      path: '/api/classes/:id/stream-key',
      summary: 'Rotate the stream key (the old one stops working)',
      tag: 'classes',
      audience: 'account',
      params: idParamSchema,
      responses: { 200: { description: 'New stream settings', schema: streamKeyResponseSchema } },
      handler: async ({ principal, params }) => ({
        status: 200,
        body: await classes.rotateStreamKey(who(principal), params.id),
      }),
    });
}
