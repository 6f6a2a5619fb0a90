import type { Logger } from 'pino';
import { WebSocket, type RawData } from 'ws';
import { stampAwareness } from './awareness-filter.js';
import { Close, type CloseReason } from './close-codes.js';
import {
  MESSAGE_AWARENESS,
  MessageError,
  encodePermissionDenied,
  parseClientMessage,
} from './messages.js';
import type { CollabMetrics } from './metrics.js';
import type { Limits, Principal } from './options.js';
import type { Room } from './room.js';
import { TokenBucket } from './token-bucket.js';
import type { UserBudget } from './write-budgets.js';

export interface ConnectionBudgets {
  /** Bytes of updates this user may write to this document (shared by their sockets). */
  user: UserBudget;
  clock: () => number;
}

/** One client socket on one document. Never throws out of a WebSocket callback. */
export class Connection {
  closed = false;
  /** Closed by us for misbehaving: updates it still has queued are dropped. */
  violated = false;
  alive = true;
  /** Awareness client ids this socket introduced, removed when it goes. */
  readonly awarenessIds = new Set<number>();
  private readonly bucket: TokenBucket;
  private readonly writeBucket: TokenBucket;
  private readonly awarenessBucket: TokenBucket;
  private deniedSent = false;

  constructor(
    readonly ws: WebSocket,
    readonly principal: Principal,
    readonly room: Room,
    private readonly limits: Limits,
    private readonly logger: Logger,
    private readonly metrics: CollabMetrics,
    private readonly budgets: ConnectionBudgets,
  ) {
    const factor = principal.canWriteWhenLocked ? limits.privilegedWriteFactor : 1;
    this.bucket = new TokenBucket(limits.messagesPerSecond, limits.messageBurst, budgets.clock);
    this.writeBucket = new TokenBucket(
      limits.writeBytesPerSecond * factor,
      limits.writeBurstBytes * factor,
      budgets.clock,
    );
    this.awarenessBucket = new TokenBucket(
      limits.awarenessPerSecond,
      limits.awarenessBurst,
      budgets.clock,
    );
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    ws.on('pong', () => {
      this.alive = true;
    });
    ws.on('error', (err) => this.logger.debug({ err }, 'collab socket error'));
  }

  canWrite(locked: boolean): boolean {
    return this.principal.canWrite && (!locked || this.principal.canWriteWhenLocked);
  }

  send(frame: Uint8Array): void {
    if (this.closed || this.ws.readyState !== WebSocket.OPEN) return;
    if (this.ws.bufferedAmount > this.limits.maxBufferedBytes) {
      this.reject(Close.slowConsumer, 'slow_consumer');
      return;
    }
    this.ws.send(frame, (err) => {
      if (err) this.logger.debug({ err }, 'collab send failed');
    });
  }

  /** Tells a client once per lock period that its edits are being dropped. */
  notifyDenied(reason: string): void {
    if (this.deniedSent) return;
    this.deniedSent = true;
    this.send(encodePermissionDenied(reason));
  }

  resetDenied(): void {
    this.deniedSent = false;
  }

  reject(close: CloseReason, metricReason: string): void {
    if (this.closed) return;
    this.metrics.rejected.inc({ reason: metricReason });
    this.violated = true;
    this.logger.info(
      {
        userId: this.principal.userId,
        doc: this.room.name,
        code: close.code,
        reason: close.reason,
      },
      'closing collab connection',
    );
    this.close(close);
  }

  /**
   * The document moved to a new epoch. What the socket queued before a reset is still stored
   * (in the old epoch, for the undo), unless it is a client that joined with an outdated copy.
   */
  closeStale(dropQueued = false): void {
    if (dropQueued) this.violated = true;
    this.close(Close.documentReset);
  }

  /** Gives the user's shared budget back once the socket is gone. */
  dispose(): void {
    this.closed = true;
    this.budgets.user.release();
  }

  close(close: CloseReason): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.ws.close(close.code, close.reason);
    } catch {
      this.ws.terminate();
    }
  }

  private onMessage(data: RawData, isBinary: boolean) {
    if (this.closed) return;
    try {
      const frame = Array.isArray(data)
        ? Buffer.concat(data)
        : data instanceof ArrayBuffer
          ? new Uint8Array(data)
          : data;
      if (frame.byteLength > this.limits.maxUpdateBytes) {
        this.reject(Close.tooLarge, 'too_large');
        return;
      }
      if (!this.bucket.take()) {
        this.reject(Close.rateLimit, 'rate_limit');
        return;
      }
      if (!isBinary) {
        this.reject(Close.malformed, 'malformed');
        return;
      }
      // Messages wait for the document to load; order is kept because they chain in order.
      this.room.ready.then(
        () => this.handle(frame),
        () => {},
      );
    } catch (err) {
      this.logger.error({ err }, 'collab message handling failed');
      this.reject(Close.internal, 'internal');
    }
  }

  private handle(frame: Uint8Array) {
    if (this.closed) return;
    try {
      // Checked before parsing: a cursor never needs a large JSON document.
      if (frame[0] === MESSAGE_AWARENESS && frame.byteLength > this.limits.maxAwarenessBytes) {
        this.metrics.rejected.inc({ reason: 'awareness_too_large' });
        return;
      }
      const msg = parseClientMessage(frame);
      switch (msg.kind) {
        case 'step1':
          for (const f of this.room.syncStep2For(msg.stateVector)) this.send(f);
          break;
        case 'update':
          if (!this.chargeWrite(msg.update.byteLength)) return;
          this.room.enqueueUpdate(this, msg.update);
          break;
        case 'awareness': {
          // Cursors are best effort: dropping some is better than cutting the editor off.
          if (!this.awarenessBucket.take()) {
            this.metrics.rejected.inc({ reason: 'awareness_rate' });
            return;
          }
          const stamped = stampAwareness(msg.update, this.principal);
          if (!stamped.ok) {
            this.metrics.rejected.inc({ reason: 'awareness_invalid' });
            return;
          }
          this.room.applyAwareness(this, stamped.update, stamped.clients);
          break;
        }
        case 'queryAwareness':
          this.send(this.room.fullAwareness());
          break;
      }
    } catch (err) {
      if (err instanceof MessageError) {
        this.reject(
          err.unknownType ? Close.unknownType : Close.malformed,
          err.unknownType ? 'unknown_type' : 'malformed',
        );
        return;
      }
      this.logger.error({ err, doc: this.room.name }, 'collab message handling failed');
      this.reject(Close.internal, 'internal');
    }
  }

  /** Takes an update's bytes from this socket's and this user's budgets, or closes. */
  private chargeWrite(bytes: number): boolean {
    const user = this.budgets.user.bucket;
    if (this.writeBucket.has(bytes) && user.has(bytes)) {
      this.writeBucket.take(bytes);
      user.take(bytes);
      this.metrics.writtenBytes.inc(bytes);
      return true;
    }
    this.reject(Close.writeBudget, 'write_budget');
    return false;
  }
}
