import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { BroadcastEvent, IngestHandle } from '@educloud/rtmp-ingest';
import { HttpError, who, type RouteTable, type SignalingHandle } from '@educloud/signaling';

export interface BroadcastWiring {
  addRoutes(routes: RouteTable): void;
  middleware: Middleware;
  close(): Promise<void>;
}

const classParams = z.strictObject({ id: z.uuid({ message: 'must be a class id' }) });
const statusResponse = z.object({ live: z.boolean(), recordingId: z.string().nullable() });

/**
 * Connects the RTMP ingest to the rest: class members hear when the teacher's OBS broadcast
 * starts and stops, and may ask for its state.
 */
export function wireBroadcasts(deps: {
  ingest: IngestHandle;
  signaling: () => SignalingHandle;
  secret: string;
  logger: Logger;
}): BroadcastWiring {
  const { ingest } = deps;
  const log = deps.logger.child({ part: 'broadcasts' });
  const started = (e: BroadcastEvent) => {
    log.info(e, 'broadcast started');
    deps.signaling().live.broadcastStatus(e.classId, { live: true, recordingId: e.recordingId });
  };
  const ended = (e: BroadcastEvent) => {
    log.info(e, 'broadcast ended');
    deps.signaling().live.broadcastStatus(e.classId, { live: false, recordingId: e.recordingId });
  };
  ingest.on('broadcastStarted', started);
  ingest.on('broadcastEnded', ended);

  const current = (classId: string) =>
    ingest.liveClasses().find((b) => b.classId === classId)?.recordingId ?? null;

  return {
    addRoutes(routes) {
      routes.add({
        method: 'get',
        path: '/api/classes/:id/broadcast',
        summary: "Whether the class's OBS broadcast is live",
        tag: 'broadcasts',
        audience: 'member',
        params: classParams,
        responses: { 200: { description: 'Broadcast state', schema: statusResponse } },
        handler: async ({ principal, params }) => {
          if (!(await deps.signaling().classes.roleIn(who(principal), params.id))) {
            throw new HttpError('forbidden', 'You are not a member of this class');
          }
          const recordingId = current(params.id);
          return { status: 200, body: { live: recordingId !== null, recordingId } };
        },
      });
    },
    middleware: (_ctx, next) => next(),
    async close() {
      ingest.off('broadcastStarted', started);
      ingest.off('broadcastEnded', ended);
    },
  };
}
