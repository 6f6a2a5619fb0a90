import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';

/** `epoch`: a node that reset a document tells the others to drop their copy and reload. */
export const RemoteKind = { update: 0, awareness: 1, queryAwareness: 2, epoch: 3 } as const;
export type RemoteKind = (typeof RemoteKind)[keyof typeof RemoteKind];

export interface RemoteMessage {
  kind: RemoteKind;
  /** The document epoch the sender's copy belongs to; messages of other epochs are dropped. */
  epoch: number;
  payload: Uint8Array;
}

const DOC_PREFIX = 'educloud:collab:doc:';
const LOCK_CHANNEL = 'educloud:collab:locks';

/**
 * Relays updates and awareness between nodes: one pub/sub channel per loaded document, one for
 * lock changes. Frames carry the sender's node id so a node drops its own echoes.
 */
export class RedisRelay {
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly handlers = new Map<string, (msg: RemoteMessage) => void>();

  constructor(
    url: string,
    private readonly nodeId: string,
    private readonly logger: Logger,
    private readonly onLock: (docName: string, locked: boolean) => void,
    /** Pub/sub is at-most-once: after a reconnect, whatever was published meanwhile is lost. */
    private readonly onReconnected: () => void,
  ) {
    this.pub = new Redis(url, { lazyConnect: true });
    this.sub = new Redis(url, { lazyConnect: true });
    for (const r of [this.pub, this.sub]) {
      r.on('error', (err: Error) => this.logger.warn({ err }, 'redis error'));
    }
    let readyOnce = false;
    this.sub.on('ready', () => {
      if (readyOnce) this.onReconnected();
      readyOnce = true;
    });
    this.sub.on('messageBuffer', (channel: Buffer, message: Buffer) =>
      this.onMessage(channel.toString(), message),
    );
  }

  async start(): Promise<void> {
    await Promise.all([this.pub.connect(), this.sub.connect()]);
    await this.sub.subscribe(LOCK_CHANNEL);
  }

  /** Resolves once Redis confirmed the subscription: later publishes will reach us. */
  async subscribe(docName: string, handler: (msg: RemoteMessage) => void): Promise<void> {
    this.handlers.set(docName, handler);
    await this.sub.subscribe(DOC_PREFIX + docName);
  }

  async unsubscribe(docName: string): Promise<void> {
    this.handlers.delete(docName);
    await this.sub.unsubscribe(DOC_PREFIX + docName);
  }

  publish(docName: string, kind: RemoteKind, payload: Uint8Array, epoch: number): void {
    this.send(DOC_PREFIX + docName, kind, payload, epoch);
  }

  publishLock(docName: string, locked: boolean): void {
    const e = encoding.createEncoder();
    encoding.writeVarString(e, docName);
    encoding.writeUint8(e, locked ? 1 : 0);
    this.send(LOCK_CHANNEL, 0, encoding.toUint8Array(e), 0);
  }

  async close(): Promise<void> {
    this.handlers.clear();
    await Promise.allSettled([this.sub.quit(), this.pub.quit()]);
  }

  private send(channel: string, kind: number, payload: Uint8Array, epoch: number) {
    const e = encoding.createEncoder();
    encoding.writeVarString(e, this.nodeId);
    encoding.writeVarUint(e, kind);
    encoding.writeVarUint(e, epoch);
    encoding.writeVarUint8Array(e, payload);
    this.pub.publish(channel, Buffer.from(encoding.toUint8Array(e))).catch((err: unknown) => {
      this.logger.warn({ err, channel }, 'redis publish failed');
    });
  }

  private onMessage(channel: string, message: Buffer) {
    try {
      const d = decoding.createDecoder(new Uint8Array(message));
      if (decoding.readVarString(d) === this.nodeId) return;
      const kind = decoding.readVarUint(d);
      const epoch = decoding.readVarUint(d);
      const payload = decoding.readVarUint8Array(d).slice();
      if (channel === LOCK_CHANNEL) {
        const l = decoding.createDecoder(payload);
        this.onLock(decoding.readVarString(l), decoding.readUint8(l) === 1);
        return;
      }
      const handler = this.handlers.get(channel.slice(DOC_PREFIX.length));
      if (handler && kind <= RemoteKind.epoch) {
        handler({ kind: kind as RemoteKind, epoch, payload });
      }
    } catch (err) {
      this.logger.warn({ err, channel }, 'dropping unreadable redis message');
    }
  }
}
