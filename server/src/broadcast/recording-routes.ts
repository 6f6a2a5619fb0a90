import { z } from 'zod';
import {
  broadcastStatusResponseSchema,
  playbackResponseSchema,
  publicRecordingParamsSchema,
  recordingListResponseSchema,
  recordingParamsSchema,
  recordingResponseSchema,
  updateRecordingRequestSchema,
  type RecordingSummary,
} from '@educloud/protocol';
import {
  RecordingBusyError,
  MASTER_PLAYLIST,
  RECORDING_MP4,
  type IngestHandle,
  type Recording,
} from '@educloud/rtmp-ingest';
import { HttpError, who, type RouteTable, type SignalingHandle } from '@educloud/signaling';
import { HLS_PREFIX } from './hls-files.js';
import { PUBLIC_GRANT, type HlsGrants } from './hls-grants.js';

const classParams = z.strictObject({ id: z.uuid({ message: 'must be a class id' }) });

export function summary(r: Recording): RecordingSummary {
  return {
    id: r.id,
    kind: r.kind,
    title: r.title,
    startedAt: r.startedAt,
    durationMs: r.durationMs,
    sizeBytes: r.sizeBytes,
    status: r.status,
    isPublic: r.isPublic,
  };
}

export function hlsFileUrl(recordingId: string, grant: string, file: string): string {
  return `${HLS_PREFIX}${recordingId}/${grant}/${file}`;
}

interface Deps {
  /** Absent when RTMP is off: the library still lists class recordings. */
  ingest?: IngestHandle;
  recordings: Pick<IngestHandle['recordings'], 'list' | 'get' | 'rename' | 'setPublic' | 'delete'>;
  signaling: () => SignalingHandle;
  grants: HlsGrants;
}

/** The REST side of broadcasts and recordings: status, library, playback links. */
export function addRecordingRoutes(routes: RouteTable, deps: Deps): void {
  const { ingest, grants, recordings } = deps;
  const classes = () => deps.signaling().classes;
  const recordingOf = async (classId: string, rid: string) => {
    const rec = await recordings.get(rid);
    if (!rec || rec.classId !== classId) throw new HttpError('not_found', 'No such recording');
    return rec;
  };
  const playback = (rec: Recording) => {
    if (rec.isPublic) {
      return {
        recording: summary(rec),
        hlsUrl: hlsFileUrl(rec.id, PUBLIC_GRANT, MASTER_PLAYLIST),
        // A class recording's MP4 is its export (see the replay).
        mp4Url:
          rec.status === 'ready' && rec.kind === 'broadcast'
            ? hlsFileUrl(rec.id, PUBLIC_GRANT, RECORDING_MP4)
            : null,
        expiresAt: null,
      };
    }
    const { token, expiresAt } = grants.sign(rec.id);
    return {
      recording: summary(rec),
      hlsUrl: hlsFileUrl(rec.id, token, MASTER_PLAYLIST),
      mp4Url:
        rec.status === 'ready' && rec.kind === 'broadcast'
          ? hlsFileUrl(rec.id, token, RECORDING_MP4)
          : null,
      expiresAt: expiresAt.toISOString(),
    };
  };

  if (ingest) {
    const live = ingest;
    routes.add({
      method: 'get',
      path: '/api/classes/:id/broadcast',
      summary: "Whether the class's OBS broadcast is live, and where to watch it",
      tag: 'broadcasts',
      audience: 'member',
      params: classParams,
      responses: { 200: { description: 'Broadcast state', schema: broadcastStatusResponseSchema } },
      handler: async ({ principal, params }) => {
        const { role } = await classes().requireMember(who(principal), params.id);
        const here = live.liveClasses().find((b) => b.classId === params.id)?.recordingId ?? null;
        // OBS may publish to any node; its HLS is on the shared recordings storage.
        const recordingId = here ?? (await live.recordings.liveOnAnotherNode(params.id));
        return {
          status: 200,
          body: {
            live: recordingId !== null,
            recordingId,
            hlsUrl:
              recordingId === null
                ? null
                : hlsFileUrl(recordingId, grants.sign(recordingId).token, MASTER_PLAYLIST),
            ingestBitrateBps: here === null ? null : live.bitrate(params.id),
            // Quota figures and refusals are the teachers' business.
            notice: role === 'teacher' ? live.notice(params.id) : null,
          },
        };
      },
    });
  }
  routes
    .add({
      method: 'get',
      path: '/api/classes/:id/recordings',
      summary: "The class's recordings, newest first",
      tag: 'broadcasts',
      audience: 'member',
      params: classParams,
      responses: { 200: { description: 'Recordings', schema: recordingListResponseSchema } },
      handler: async ({ principal, params }) => {
        await classes().requireMember(who(principal), params.id);
        const list = await recordings.list(params.id);
        return { status: 200, body: { recordings: list.map(summary) } };
      },
    })
    .add({
      method: 'patch',
      path: '/api/classes/:id/recordings/:rid',
      summary: 'Rename a recording or make it public (its teachers)',
      tag: 'broadcasts',
      audience: 'member',
      params: recordingParamsSchema,
      body: updateRecordingRequestSchema,
      responses: { 200: { description: 'Updated', schema: recordingResponseSchema } },
      handler: async ({ principal, params, body }) => {
        await classes().requireTeacher(who(principal), params.id);
        let rec = await recordingOf(params.id, params.rid);
        if (body.title !== undefined) rec = (await recordings.rename(rec.id, body.title)) ?? rec;
        if (body.isPublic !== undefined) {
          rec = (await recordings.setPublic(rec.id, body.isPublic)) ?? rec;
        }
        return { status: 200, body: { recording: summary(rec) } };
      },
    })
    .add({
      method: 'delete',
      path: '/api/classes/:id/recordings/:rid',
      summary: 'Delete a recording and its files (its teachers; not while live)',
      tag: 'broadcasts',
      audience: 'member',
      params: recordingParamsSchema,
      responses: { 204: { description: 'Deleted' } },
      handler: async ({ principal, params }) => {
        await classes().requireTeacher(who(principal), params.id);
        const rec = await recordingOf(params.id, params.rid);
        try {
          if (!(await recordings.delete(rec.id))) {
            throw new HttpError('not_found', 'No such recording');
          }
        } catch (err) {
          if (err instanceof RecordingBusyError) {
            throw new HttpError('conflict', 'The recording is still live or being finalized');
          }
          throw err;
        }
        return { status: 204 };
      },
    })
    .add({
      method: 'get',
      path: '/api/classes/:id/recordings/:rid/playback',
      summary: 'Links to play and download a recording',
      tag: 'broadcasts',
      audience: 'member',
      params: recordingParamsSchema,
      responses: { 200: { description: 'Playback links', schema: playbackResponseSchema } },
      handler: async ({ principal, params }) => {
        await classes().requireMember(who(principal), params.id);
        return { status: 200, body: playback(await recordingOf(params.id, params.rid)) };
      },
    })
    .add({
      method: 'get',
      path: '/api/recordings/:rid/public',
      summary: 'Playback links of a recording its teacher made public (no login)',
      tag: 'broadcasts',
      audience: 'public',
      params: publicRecordingParamsSchema,
      responses: { 200: { description: 'Playback links', schema: playbackResponseSchema } },
      handler: async ({ params }) => {
        const rec = await recordings.get(params.rid);
        if (!rec?.isPublic) throw new HttpError('not_found', 'No such public recording');
        return { status: 200, body: playback(rec) };
      },
    });
}
