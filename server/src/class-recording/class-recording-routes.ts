import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import {
  boardAtQuerySchema,
  boardAtResponseSchema,
  classDocumentName,
  classRecordingManifestSchema,
  classRecordingSettingsSchema,
  idParamSchema,
  classReplayResponseSchema,
  recordingParamsSchema,
} from '@educloud/protocol';
import { getRecording, recordingPath, type IngestDatabase } from '@educloud/rtmp-ingest';
import { HttpError, who, type RouteTable, type SignalingHandle } from '@educloud/signaling';
import { HLS_PREFIX } from '../broadcast/hls-files.js';
import { PUBLIC_GRANT, type HlsGrants } from '../broadcast/hls-grants.js';
import { boardRecordsAt } from './board-records.js';
import type { ClassExports } from './class-export.js';
import { MANIFEST_FILE } from './finalize-class-recording.js';
import {
  getRecordingSettings,
  setRecordingSettings,
  type RecordingSettingsTables,
} from './recording-settings.js';
import { readTimeline, TIMELINE_FILE } from './timeline-log.js';

interface Deps {
  db: Kysely<unknown>;
  recordingsDir: string;
  signaling: () => SignalingHandle;
  grants: HlsGrants;
  exports: ClassExports;
}

/** Replay of a class recording: its manifest, timeline and signed file links; the board at a time. */
export function addClassRecordingRoutes(routes: RouteTable, deps: Deps): void {
  const ingestDb = deps.db as Kysely<IngestDatabase>;
  const classRecording = async (classId: string, rid: string) => {
    const rec = await getRecording(ingestDb, rid);
    if (!rec || rec.classId !== classId || rec.kind !== 'class') {
      throw new HttpError('not_found', 'No such class recording');
    }
    if (rec.status !== 'ready') throw new HttpError('conflict', 'The recording is not ready yet');
    return rec;
  };
  const settingsDb = deps.db as Kysely<RecordingSettingsTables>;
  routes
    .add({
      method: 'get',
      path: '/api/classes/:id/recording-settings',
      summary: "A class's recording settings (record automatically when the class goes live)",
      tag: 'broadcasts',
      audience: 'member',
      params: idParamSchema,
      responses: { 200: { description: 'Settings', schema: classRecordingSettingsSchema } },
      handler: async ({ principal, params }) => {
        await deps.signaling().classes.requireMember(who(principal), params.id);
        return { status: 200, body: await getRecordingSettings(settingsDb, params.id) };
      },
    })
    .add({
      method: 'put',
      path: '/api/classes/:id/recording-settings',
      summary: "Change a class's recording settings (its teachers)",
      tag: 'broadcasts',
      audience: 'member',
      params: idParamSchema,
      body: classRecordingSettingsSchema,
      responses: { 200: { description: 'Settings', schema: classRecordingSettingsSchema } },
      handler: async ({ principal, params, body }) => {
        await deps.signaling().classes.requireTeacher(who(principal), params.id);
        return { status: 200, body: await setRecordingSettings(settingsDb, params.id, body) };
      },
    })
    .add({
      method: 'get',
      path: '/api/classes/:id/recordings/:rid/replay',
      summary: "A class recording's tracks, timeline and file links, for the replay page",
      tag: 'broadcasts',
      audience: 'member',
      params: recordingParamsSchema,
      responses: { 200: { description: 'Replay', schema: classReplayResponseSchema } },
      handler: async ({ principal, params }) => {
        await deps.signaling().classes.requireMember(who(principal), params.id);
        const rec = await classRecording(params.id, params.rid);
        const dir = recordingPath(deps.recordingsDir, rec.id);
        const manifest = classRecordingManifestSchema.parse(
          JSON.parse(await readFile(join(dir, MANIFEST_FILE), 'utf8')),
        );
        const grant = rec.isPublic ? PUBLIC_GRANT : deps.grants.sign(rec.id).token;
        const filesUrl = `${HLS_PREFIX}${rec.id}/${grant}/`;
        const exp = deps.exports.status(rec.id, dir);
        return {
          status: 200,
          body: {
            manifest,
            filesUrl,
            timeline: await readTimeline(join(dir, TIMELINE_FILE)),
            boardDoc: classDocumentName(params.id, 'board'),
            export: {
              status: (await exp).status,
              progress: (await exp).progress,
              url: (await exp).status === 'ready' ? `${filesUrl}${(await exp).file}` : null,
              warning: (await exp).warning,
            },
          },
        };
      },
    })
    .add({
      method: 'get',
      path: '/api/classes/:id/recordings/:rid/board',
      summary: 'The whiteboard as it was at a moment of a class recording',
      tag: 'broadcasts',
      audience: 'member',
      params: recordingParamsSchema,
      query: boardAtQuerySchema,
      responses: { 200: { description: 'Board records', schema: boardAtResponseSchema } },
      handler: async ({ principal, params, query }) => {
        await deps.signaling().classes.requireMember(who(principal), params.id);
        const rec = await classRecording(params.id, params.rid);
        const start = Date.parse(rec.startedAt);
        const end = rec.endedAt ? Date.parse(rec.endedAt) : Date.now();
        // Only moments of the recording: the board's later life is not part of it.
        const at = Math.min(Math.max(query.at, start), end);
        const records = await boardRecordsAt(deps.db, classDocumentName(params.id, 'board'), at);
        return { status: 200, body: { at, records } };
      },
    })
    .add({
      method: 'post',
      path: '/api/classes/:id/recordings/:rid/export',
      summary: 'Start the MP4 export of a class recording (its teachers); progress in replay',
      tag: 'broadcasts',
      audience: 'member',
      params: recordingParamsSchema,
      responses: { 202: { description: 'Export started' } },
      handler: async ({ principal, params }) => {
        await deps.signaling().classes.requireTeacher(who(principal), params.id);
        const rec = await classRecording(params.id, params.rid);
        deps.exports.start(rec.id, recordingPath(deps.recordingsDir, rec.id));
        return { status: 202, body: { started: true } };
      },
    });
}
