import { EventEmitter } from 'node:events';
import { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { z } from 'zod';
import type { AnyKysely } from './store.js';

export const principalSchema = z.object({
  userId: z.string().min(1),
  /** Shown on this user's cursor: stamped over whatever name the client puts in awareness. */
  name: z.string(),
  canWrite: z.boolean(),
  /** Teachers: keep writing while the document is locked. */
  canWriteWhenLocked: z.boolean().default(false),
});

export type Principal = z.infer<typeof principalSchema>;

export type Authorize = (
  token: string,
  docName: string,
) => Promise<z.input<typeof principalSchema> | null>;

export const limitsSchema = z.object({
  /** Largest WebSocket frame accepted (a document update, awareness, anything). */
  maxUpdateBytes: z
    .number()
    .int()
    .positive()
    .default(1024 * 1024),
  /** Refuse updates once the stored size of a document (snapshot + log since) passes this. */
  maxDocumentBytes: z
    .number()
    .int()
    .positive()
    .default(64 * 1024 * 1024),
  /** Token bucket per connection, counted in messages. */
  messagesPerSecond: z.number().positive().default(100),
  messageBurst: z.number().int().positive().default(300),
  /**
   * Write budget per connection, in bytes of document updates: a burst (a paste, a PDF page,
   * a reconnect handshake) and a sustained rate far above typing and drawing. Exceeding it
   * closes the socket with 4429; the burst must hold the largest accepted update.
   */
  writeBytesPerSecond: z
    .number()
    .positive()
    .default(256 * 1024),
  writeBurstBytes: z
    .number()
    .int()
    .positive()
    .default(4 * 1024 * 1024),
  /** The same per user and document on this node, across all of the user's sockets. */
  userWriteBytesPerSecond: z
    .number()
    .positive()
    .default(384 * 1024),
  userWriteBurstBytes: z
    .number()
    .int()
    .positive()
    .default(6 * 1024 * 1024),
  /** Teachers (`canWriteWhenLocked`) get budgets this many times larger (PDF imports). */
  privilegedWriteFactor: z.number().positive().default(4),
  /** Largest awareness message (cursors, names); larger ones are dropped. */
  maxAwarenessBytes: z
    .number()
    .int()
    .positive()
    .default(16 * 1024),
  /** Awareness client ids one socket may introduce (one per tab, normally). */
  maxAwarenessClients: z.number().int().positive().default(4),
  /** Awareness messages per connection; beyond the bucket they are dropped, not relayed. */
  awarenessPerSecond: z.number().positive().default(30),
  awarenessBurst: z.number().int().positive().default(60),
  /** A client that lets this much outgoing data pile up is disconnected. */
  maxBufferedBytes: z
    .number()
    .int()
    .positive()
    .default(16 * 1024 * 1024),
});

export type Limits = z.infer<typeof limitsSchema>;

export const optionsSchema = z.object({
  httpServer: z.custom<EventEmitter>((v) => v instanceof EventEmitter, 'an http(s).Server'),
  db: z.custom<AnyKysely>((v) => v instanceof Kysely, 'a Kysely instance'),
  logger: z.custom<Logger>(
    (v) => typeof (v as Logger | null)?.child === 'function',
    'a pino Logger',
  ),
  registry: z.custom<Registry>((v) => v instanceof Registry, 'a prom-client Registry'),
  authorize: z.custom<Authorize>((v) => typeof v === 'function', 'an authorize function'),
  redisUrl: z.string().url().optional(),
  /** Identifies this process on Redis; random by default. */
  nodeId: z.string().min(1).optional(),
  /** URL path prefix; documents live at `<path>/<docName>`. */
  path: z
    .string()
    .regex(/^\/[^?#]*[^/?#]$/)
    .default('/collab'),
  idleUnloadMs: z.number().int().nonnegative().default(30_000),
  /** Fold the log into a snapshot after this many updates to one document. */
  compactEveryUpdates: z.number().int().positive().default(500),
  pingIntervalMs: z.number().int().positive().default(30_000),
  limits: limitsSchema
    .prefault({})
    .refine(
      (l) => l.writeBurstBytes >= l.maxUpdateBytes && l.userWriteBurstBytes >= l.maxUpdateBytes,
      {
        message: 'write bursts must hold the largest update (maxUpdateBytes)',
      },
    ),
  /** Milliseconds clock of the budgets; tests replay an hour of class without waiting. */
  clock: z
    .custom<() => number>((v) => typeof v === 'function', 'a function returning milliseconds')
    .default(() => () => performance.now()),
});

export type CollabOptions = z.input<typeof optionsSchema>;
export type ResolvedOptions = z.infer<typeof optionsSchema>;
