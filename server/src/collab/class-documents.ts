import {
  classDocumentName,
  classDocumentParamsSchema,
  classDocumentStateSchema,
  documentLockRequestSchema,
  documentResetRequestSchema,
  parseCollabDocName,
} from '@educloud/protocol';
import { EpochConflictError, type Authorize, type CollabHandle } from '@educloud/collab';
import {
  HttpError,
  who,
  type BreakoutStore,
  type ClassService,
  type RouteTable,
  type TokenService,
} from '@educloud/signaling';

/**
 * Who may open a collaborative document: members of its class (for a breakout's board, of the
 * class the breakout belongs to: every breakout of their class, kept after it closes); students
 * read only while a teacher has locked it, teachers always write. The name is what others see
 * on this user's cursor (the collab server stamps it over whatever the client claims); guests
 * chose theirs themselves, so it says they are a guest.
 */
export function authorizeClassDocument(
  tokens: TokenService,
  classes: ClassService,
  breakouts: BreakoutStore,
): Authorize {
  return async (token, name) => {
    const parsed = parseCollabDocName(name);
    if (!parsed) return null;
    const check = await tokens.verify(token);
    if (!check.ok) return null;
    const classId = parsed.scope === 'class' ? parsed.id : await breakouts.classOf(parsed.id);
    if (!classId) return null;
    const role = await classes.roleIn(check.principal, classId);
    if (!role) return null;
    const { principal } = check;
    return {
      userId: principal.userId,
      name: principal.kind === 'guest' ? `${principal.name} (guest)` : principal.name,
      canWrite: true,
      canWriteWhenLocked: role === 'teacher',
      expiresAt: check.expiresAt.getTime(),
    };
  };
}

const stateResponse = { 200: { description: 'Document state', schema: classDocumentStateSchema } };

/** REST for a class's documents: read the state (members); lock, reset, undo (teachers). */
export function addClassDocumentRoutes(
  routes: RouteTable,
  classes: ClassService,
  collab: CollabHandle,
): void {
  const requireTeacher = async (
    principal: Parameters<typeof who>[0],
    classId: string,
  ): Promise<void> => {
    if ((await classes.roleIn(who(principal), classId)) !== 'teacher') {
      throw new HttpError('forbidden', 'Only the teachers of this class can do this');
    }
  };
  const epochChange = async (run: () => Promise<unknown>) => {
    try {
      await run();
    } catch (err) {
      if (err instanceof EpochConflictError) throw new HttpError('conflict', err.message);
      throw err;
    }
  };

  /** Reset and undo-reset: teachers only, guarded by the epoch the caller last saw. */
  const addEpochChangeRoute = (
    action: 'reset' | 'undo-reset',
    summary: string,
    conflict: string,
    change: (document: string, userId: string, expectedEpoch?: number) => Promise<unknown>,
  ): void => {
    routes.add({
      method: 'post',
      path: `/api/classes/:id/documents/:doc/${action}`,
      summary,
      tag: 'documents',
      audience: 'account',
      params: classDocumentParamsSchema,
      body: documentResetRequestSchema,
      responses: { ...stateResponse, 409: { description: conflict } },
      handler: async ({ principal, params, body }) => {
        await requireTeacher(principal, params.id);
        const document = classDocumentName(params.id, params.doc);
        await epochChange(() => change(document, who(principal).userId, body.expectedEpoch));
        return { status: 200, body: await collab.documentState(document) };
      },
    });
  };

  routes
    .add({
      method: 'get',
      path: '/api/classes/:id/documents/:doc',
      summary: 'A class document (whiteboard, notes): lock, epoch, size, whether undo is possible',
      tag: 'documents',
      audience: 'member',
      params: classDocumentParamsSchema,
      responses: stateResponse,
      handler: async ({ principal, params }) => {
        await classes.requireMember(who(principal), params.id);
        const document = classDocumentName(params.id, params.doc);
        return { status: 200, body: await collab.documentState(document) };
      },
    })
    .add({
      method: 'put',
      path: '/api/classes/:id/documents/:doc/lock',
      summary: 'Lock or unlock a class document: students then only read it (teachers)',
      tag: 'documents',
      audience: 'account',
      params: classDocumentParamsSchema,
      body: documentLockRequestSchema,
      responses: stateResponse,
      handler: async ({ principal, params, body }) => {
        await requireTeacher(principal, params.id);
        const document = classDocumentName(params.id, params.doc);
        await collab.setDocumentLock(document, body.locked);
        return { status: 200, body: await collab.documentState(document) };
      },
    });
  addEpochChangeRoute(
    'reset',
    'Clear a class document for everybody; the state before is kept for one undo (teachers)',
    'The document was reset meanwhile (expectedEpoch is outdated)',
    (document, userId, expectedEpoch) => collab.resetDocument(document, userId, expectedEpoch),
  );
  addEpochChangeRoute(
    'undo-reset',
    'Restore a class document as it was before its latest reset (teachers)',
    'Nothing to undo, or the document changed epoch meanwhile',
    (document, userId, expectedEpoch) => collab.undoReset(document, userId, expectedEpoch),
  );
}
