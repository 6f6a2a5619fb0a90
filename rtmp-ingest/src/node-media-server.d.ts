// node-media-server 4.x ships no types. Only the internals this package drives are declared:
// the RTMP session (fed with sockets from our own listener), the shared context (event bus and
// broadcasts) and the module-level logger.

declare module 'node-media-server/src/core/logger.js' {
  interface NmsLogger {
    level: string;
    log(message: string, logLevel?: string): void;
  }
  const logger: NmsLogger;
  export default logger;
}

declare module 'node-media-server/src/server/broadcast_server.js' {
  import type BaseSession from 'node-media-server/src/session/base_session.js';

  class BroadcastServer {
    streamPath: string;
    publisher: BaseSession | null;
    publishGraceMs: number;
    getPublishStatus(): 'publishing' | 'reconnecting' | 'idle';
  }
  export default BroadcastServer;
}

declare module 'node-media-server/src/session/base_session.js' {
  import type { Socket } from 'node:net';
  import type BroadcastServer from 'node-media-server/src/server/broadcast_server.js';

  class BaseSession {
    id: string;
    /** "address:port" of the remote peer; empty for internal sessions. */
    ip: string;
    protocol: string;
    streamApp: string;
    streamName: string;
    streamPath: string;
    inBytes: number;
    endTime: number;
    /** Present on RTMP sessions. */
    socket?: Socket;
    broadcast?: BroadcastServer;
    close(): void;
  }
  export default BaseSession;
}

declare module 'node-media-server/src/session/rtmp_session.js' {
  import type { Socket } from 'node:net';
  import BaseSession from 'node-media-server/src/session/base_session.js';

  class RtmpSession extends BaseSession {
    constructor(socket: Socket);
    run(): void;
  }
  export default RtmpSession;
}

declare module 'node-media-server/src/core/context.js' {
  import type { EventEmitter } from 'node:events';
  import type BaseSession from 'node-media-server/src/session/base_session.js';
  import type BroadcastServer from 'node-media-server/src/server/broadcast_server.js';

  const Context: {
    config: Record<string, unknown>;
    sessions: Map<string, BaseSession>;
    broadcasts: Map<string, BroadcastServer>;
    eventEmitter: EventEmitter;
  };
  export default Context;
}
