import { z } from 'zod';
import type { Authorize, CollabHandle } from '@educloud/collab';
import {
  HttpError,
  who,
  type ClassService,
  type RouteTable,
  type TokenService,
} from '@educloud/signaling';

/** The shared documents every class has; breakout rooms get theirs with the breakout issue. */
export const classDocumentKinds = ['board', 'notes'] as const;
const docName = /^class\/([0-9a-f-]{36})\/(board|notes)$/;

/**
 * Who may open a collaborative document: members of its class; students read only while a
 * teacher has locked it, teachers always write.
 */
export function authorizeClassDocument(tokens: TokenService, classes: ClassService): Authorize {
  return async (token, name) => {
    const match = docName.exec(name);
    if (!match) return null;
    const check = await tokens.verify(token);
    if (!check.ok) return null;
    const role = await classes.roleIn(check.principal, match[1]!);
    if (!role) return null;
    return {
      userId: check.principal.userId,
      name: check.principal.name,
      canWrite: true,
      canWriteWhenLocked: role === 'teacher',
      expiresAt: check.expiresAt.getTime(),
    };
  };
}

const docParams = z.strictObject({
  id: z.uuid({ message: 'must be a class id' }),
  doc: z.enum(classDocumentKinds),
});
const lockBody = z.strictObject({ locked: z.boolean() });
const lockResponse = z.object({ document: z.string(), locked: z.boolean() });

/** REST for a class's documents: read the lock (members), set it (teachers). */
export function addClassDocumentRoutes(
  routes: RouteTable,
  classes: ClassService,
  collab: CollabHandle,
): void {
  routes
    .add({
      method: 'get',
      path: '/api/classes/:id/documents/:doc',
      summary: 'Whether a class document (whiteboard, notes) is locked',
      tag: 'documents',
      audience: 'member',
      params: docParams,
      responses: { 200: { description: 'Lock state', schema: lockResponse } },
      handler: async ({ principal, params }) => {
        await classes.requireMember(who(principal), params.id);
        const document = `class/${params.id}/${params.doc}`;
        return { status: 200, body: { document, locked: await collab.isDocumentLocked(document) } };
      },
    })
    .add({
      method: 'put',
      path: '/api/classes/:id/documents/:doc/lock',
      summary: 'Lock or unlock a class document: students then only read it (teachers)',
      tag: 'documents',
      audience: 'account',
      params: docParams,
      body: lockBody,
      responses: { 200: { description: 'Lock state', schema: lockResponse } },
      handler: async ({ principal, params, body }) => {
        if ((await classes.roleIn(who(principal), params.id)) !== 'teacher') {
          throw new HttpError(
            'forbidden',
            'Only the teachers of this class can lock its documents',
          );
        }
        const document = `class/${params.id}/${params.doc}`;
        await collab.setDocumentLock(document, body.locked);
        return { status: 200, body: { document, locked: body.locked } };
      },
    });
}
