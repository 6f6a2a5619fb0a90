import { z } from 'zod';

/**
 * The collaboration endpoint's shared vocabulary: document names, WebSocket close codes and
 * the REST payloads of a class's documents. Used by collab/ (server side), server/ (routes,
 * authorization) and web/ (client).
 */

/** Kinds of shared document per scope; breakout rooms get a board (notes can be added here). */
export const collabDocumentKinds = {
  class: ['board', 'notes'],
  breakout: ['board'],
} as const satisfies Record<string, readonly string[]>;

export type CollabScope = keyof typeof collabDocumentKinds;
export type ClassDocumentKind = (typeof collabDocumentKinds.class)[number];
export const classDocumentKinds = collabDocumentKinds.class;

/** Ids inside document names: class and breakout ids are UUIDs, tests use shorter ones. */
const docIdPattern = '[A-Za-z0-9_-]{1,64}';

const docNamePattern = new RegExp(
  `^(?:${Object.entries(collabDocumentKinds)
    .map(([scope, kinds]) => `(${scope})\\/(${docIdPattern})\\/(${kinds.join('|')})`)
    .join('|')})$`,
);

export interface CollabDocName {
  scope: CollabScope;
  id: string;
  kind: string;
}

/** `class/<id>/board` → { scope: 'class', id, kind: 'board' }; null for any other shape. */
export function parseCollabDocName(name: string): CollabDocName | null {
  const m = docNamePattern.exec(name);
  if (!m) return null;
  // One alternative per scope matched: its three groups are the defined ones.
  const groups = m.slice(1).filter((g): g is string => g !== undefined);
  const [scope, id, kind] = groups as [CollabScope, string, string];
  return { scope, id, kind };
}

export function isValidCollabDocName(name: string): boolean {
  return docNamePattern.test(name);
}

export function classDocumentName(classId: string, kind: ClassDocumentKind): string {
  return `class/${classId}/${kind}`;
}

export function breakoutDocumentName(breakoutId: string): string {
  return `breakout/${breakoutId}/board`;
}

/**
 * WebSocket close codes of the collab endpoint; reasons are fixed strings clients can match.
 * y-websocket (3.x) never reconnects after 4400-4499 and backs off and reconnects after
 * anything else, so 44xx is kept for what a plain retry cannot fix and 45xx for "try later".
 */
export const collabClose = {
  shutdown: { code: 1001, reason: 'server shutting down' },
  tooLarge: { code: 1009, reason: 'update too large' },
  internal: { code: 1011, reason: 'internal error' },
  persistFailed: { code: 1011, reason: 'persistence failed' },
  loadFailed: { code: 1011, reason: 'document load failed' },
  malformed: { code: 4400, reason: 'malformed message' },
  unknownType: { code: 4400, reason: 'unknown message type' },
  invalidUpdate: { code: 4400, reason: 'invalid update' },
  /**
   * A teacher reset the document (or undid a reset): the client's copy belongs to an older
   * epoch and must be thrown away; a new connection with an empty document syncs the new one.
   */
  documentReset: { code: 4410, reason: 'document reset' },
  docTooLarge: { code: 4413, reason: 'document too large' },
  /**
   * The connection or its user wrote more bytes than their budget allows. Not retried by stock
   * clients: the web client waits for the budget to refill before it reconnects.
   */
  writeBudget: { code: 4429, reason: 'write budget exceeded' },
  slowConsumer: { code: 4508, reason: 'slow consumer' },
  /** The update builds on something we never got: reconnecting re-sends the client's state. */
  resync: { code: 4509, reason: 'missing dependency, resync' },
  rateLimit: { code: 4529, reason: 'rate limit' },
} as const;

export type CollabCloseReason = (typeof collabClose)[keyof typeof collabClose];

/**
 * Query parameter a client adds to the socket URL with the epoch its document belongs to; a
 * connection naming an older epoch is closed with `documentReset` before it can sync.
 */
export const collabEpochParam = 'epoch';

export const classDocumentParamsSchema = z.strictObject({
  id: z.uuid({ message: 'must be a class id' }),
  doc: z.enum(collabDocumentKinds.class),
});

export const documentLockRequestSchema = z.strictObject({ locked: z.boolean() });

/** What members learn about a class document (GET), and what lock/reset/undo answer. */
export const classDocumentStateSchema = z.object({
  document: z.string(),
  locked: z.boolean(),
  /** Bumped by every reset and undo; a client's copy from an older epoch is stale. */
  epoch: z.number().int().nonnegative(),
  /** Bytes a client downloads to sync it (stored base state and log since). */
  sizeBytes: z.number().int().nonnegative(),
  /** Whether the last epoch change can be undone (restores the state before it). */
  canUndoReset: z.boolean(),
});
export type ClassDocumentState = z.infer<typeof classDocumentStateSchema>;

/** Reset: an empty document; the state before it is kept for one undo. */
export const documentResetRequestSchema = z.strictObject({
  /** The epoch the teacher saw: a reset meanwhile by somebody else is not repeated. */
  expectedEpoch: z.number().int().nonnegative().optional(),
});
export type DocumentResetRequest = z.infer<typeof documentResetRequestSchema>;
