import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { NodePipeOptions, Sfu } from '@educloud/sfu';
import { ClassMesh } from './class-mesh.js';
import { ClassOwnership } from './class-ownership.js';
import { NodeBus } from './node-bus.js';
import { NodeRegistry } from './node-registry.js';
import { NodeWatch } from './node-watch.js';

const PREFIX = 'educloud:nodes:';
/** A node silent this long is dead: its classes move, its pipes are dropped. */
const HEARTBEAT_TTL_MS = 3000;
const OWNER_LEASE_MS = 6000;
const CHECK_EVERY_MS = 1000;

export interface NodeMeshHandle {
  mesh: ClassMesh;
  /** Tells `listener` of each other node that stops beating (once per death seen). */
  onNodeGone(listener: (nodeId: string) => void): void;
  isAlive(nodeId: string): Promise<boolean>;
  /** For tests: stops the heartbeat and the bus without a word, as a killed node would. */
  silence(): Promise<void>;
  close(): Promise<void>;
}

/** Joins this node to the others over Redis: heartbeat and load, class ownership, media pipes. */
export async function startNodeMesh(opts: {
  redisUrl: string;
  nodeId: string;
  sfu: Sfu;
  pipe: NodePipeOptions;
  logger: Logger;
}): Promise<NodeMeshHandle> {
  const logger = opts.logger.child({ part: 'nodes', nodeId: opts.nodeId });
  const redis = new Redis(opts.redisUrl, { maxRetriesPerRequest: 3 });
  const sub = new Redis(opts.redisUrl, { maxRetriesPerRequest: 3 });
  const registry = new NodeRegistry(redis, PREFIX, opts.nodeId, HEARTBEAT_TTL_MS);
  const ownership = new ClassOwnership(redis, registry, PREFIX, OWNER_LEASE_MS);
  const bus = await NodeBus.start({ nodeId: opts.nodeId, pub: redis, sub, prefix: PREFIX, logger });
  const mesh = new ClassMesh({
    sfu: opts.sfu,
    bus,
    registry,
    ownership,
    pipe: opts.pipe,
    logger,
    checkEveryMs: CHECK_EVERY_MS,
  });
  await registry.start(() => {
    let load = 0;
    for (const w of opts.sfu.pool.workers) {
      load += w.counts.transports + w.counts.producers + w.counts.consumers;
    }
    return load;
  });
  mesh.start();
  const watch = new NodeWatch(registry, CHECK_EVERY_MS, logger);
  watch.start();
  return {
    mesh,
    onNodeGone: (listener) => watch.onGone(listener),
    isAlive: (nodeId) => registry.isAlive(nodeId),
    async silence() {
      watch.stop();
      await mesh.close(false);
      await registry.stop();
      await sub.unsubscribe();
    },
    async close() {
      watch.stop();
      await mesh.close();
      await registry.stop();
      bus.close();
      sub.disconnect();
      redis.disconnect();
    },
  };
}
