import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { z } from 'zod';

const envelope = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('req'),
    id: z.string(),
    from: z.string(),
    type: z.string(),
    payload: z.unknown(),
  }),
  z.object({
    kind: z.literal('res'),
    id: z.string(),
    ok: z.boolean(),
    data: z.unknown().optional(),
    error: z.string().optional(),
  }),
]);

type Handler = (payload: unknown, from: string) => Promise<unknown>;

/** The channel a node listens on for requests and answers addressed to it. */
export function nodeChannel(prefix: string, nodeId: string): string {
  return `${prefix}bus:${nodeId}`;
}

/**
 * Request/response between nodes over Redis pub/sub: each node subscribes to its own channel;
 * a request names its sender, the answer comes back on the sender's channel under the same id.
 * Messages from one node arrive in the order it sent them (one Redis connection publishes).
 */
export class NodeBus {
  private readonly handlers = new Map<string, Handler>();
  private readonly pending = new Map<
    string,
    { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }
  >();

  private constructor(
    readonly nodeId: string,
    private readonly pub: Redis,
    private readonly sub: Redis,
    private readonly prefix: string,
    private readonly logger: Logger,
  ) {}

  static async start(opts: {
    nodeId: string;
    pub: Redis;
    sub: Redis;
    prefix: string;
    logger: Logger;
  }): Promise<NodeBus> {
    const bus = new NodeBus(opts.nodeId, opts.pub, opts.sub, opts.prefix, opts.logger);
    opts.sub.on('message', (_channel: string, raw: string) => bus.onMessage(raw));
    await opts.sub.subscribe(nodeChannel(opts.prefix, opts.nodeId));
    return bus;
  }

  handle(type: string, handler: Handler): void {
    this.handlers.set(type, handler);
  }

  /** Asks node `to`; rejects with its error, or after `timeoutMs` without an answer. */
  request(to: string, type: string, payload: unknown, timeoutMs = 5000): Promise<unknown> {
    const id = randomUUID();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`node ${to} did not answer ${type}`));
      }, timeoutMs);
      timer.unref();
      this.pending.set(id, { resolve, reject, timer });
      this.send(to, { kind: 'req', id, from: this.nodeId, type, payload }).catch((err: Error) => {
        clearTimeout(timer);
        this.pending.delete(id);
        reject(err);
      });
    });
  }

  close(): void {
    for (const { reject, timer } of this.pending.values()) {
      clearTimeout(timer);
      reject(new Error('node bus closed'));
    }
    this.pending.clear();
  }

  private async send(to: string, message: z.input<typeof envelope>): Promise<void> {
    await this.pub.publish(nodeChannel(this.prefix, to), JSON.stringify(message));
  }

  private onMessage(raw: string): void {
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      return;
    }
    const parsed = envelope.safeParse(value);
    if (!parsed.success) {
      this.logger.warn('ignored a malformed node message');
      return;
    }
    const m = parsed.data;
    if (m.kind === 'res') {
      const waiting = this.pending.get(m.id);
      if (!waiting) return;
      this.pending.delete(m.id);
      clearTimeout(waiting.timer);
      if (m.ok) waiting.resolve(m.data);
      else waiting.reject(new Error(m.error ?? 'failed'));
      return;
    }
    const handler = this.handlers.get(m.type);
    const answer = (ok: boolean, data?: unknown, error?: string) =>
      this.send(m.from, { kind: 'res', id: m.id, ok, data, error }).catch((err: unknown) =>
        this.logger.warn({ err }, 'could not answer a node'),
      );
    if (!handler) {
      void answer(false, undefined, `unknown request ${m.type}`);
      return;
    }
    handler(m.payload, m.from).then(
      (data) => void answer(true, data ?? null),
      (err: unknown) => {
        this.logger.warn({ err, type: m.type, from: m.from }, 'node request failed');
        void answer(false, undefined, err instanceof Error ? err.message : String(err));
      },
    );
  }
}
