import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import type { BroadcastEvent, IngestHandle } from '@educloud/rtmp-ingest';
import type { RouteTable, SignalingHandle } from '@educloud/signaling';
import { hlsFiles } from './hls-files.js';
import { HlsGrants } from './hls-grants.js';
import { addRecordingRoutes } from './recording-routes.js';
import { WebRtcBridges } from './webrtc-bridge.js';

export interface BroadcastWiring {
  addRoutes(routes: RouteTable): void;
  middleware: Middleware;
  close(): Promise<void>;
}

// Long enough for a lesson watched in one go; the watch page asks again when a link expires.
const DEFAULT_GRANT_TTL_SECONDS = 6 * 3600;

/**
 * Connects the RTMP ingest to the rest: class members hear when the teacher's OBS broadcast
 * starts and stops, students in the live room receive it over WebRTC, and members watch it
 * (and its recordings) over HLS with signed links.
 */
export function wireBroadcasts(deps: {
  ingest: IngestHandle;
  signaling: () => SignalingHandle;
  secret: string;
  logger: Logger;
  grantTtlSeconds?: number;
  /** Off for deployments (or tests) that want HLS only. */
  webrtcBridge?: boolean;
}): BroadcastWiring {
  const { ingest } = deps;
  const log = deps.logger.child({ part: 'broadcasts' });
  const grants = new HlsGrants(deps.secret, deps.grantTtlSeconds ?? DEFAULT_GRANT_TTL_SECONDS);
  const bridges =
    deps.webrtcBridge === false
      ? null
      : new WebRtcBridges({ ingest, signaling: deps.signaling, logger: log });
  const started = (e: BroadcastEvent) => {
    log.info(e, 'broadcast started');
    deps.signaling().live.broadcastStatus(e.classId, { live: true, recordingId: e.recordingId });
    bridges?.start(e.classId);
  };
  const ended = (e: BroadcastEvent) => {
    log.info(e, 'broadcast ended');
    deps.signaling().live.broadcastStatus(e.classId, { live: false, recordingId: e.recordingId });
    void bridges?.stop(e.classId);
  };
  ingest.on('broadcastStarted', started);
  ingest.on('broadcastEnded', ended);

  return {
    addRoutes(routes) {
      addRecordingRoutes(routes, {
        ingest,
        recordings: ingest.recordings,
        signaling: deps.signaling,
        grants,
      });
    },
    middleware: hlsFiles({
      recordings: ingest.recordings,
      dir: (id) => ingest.hlsDir(id),
      grants,
      classExists: (classId) => deps.signaling().classes.exists(classId),
    }),
    async close() {
      ingest.off('broadcastStarted', started);
      ingest.off('broadcastEnded', ended);
      await bridges?.close();
    },
  };
}
