import {
  boardAtResponseSchema,
  classRecordingSettingsSchema,
  classReplayResponseSchema,
  type ClassRecordingSettings,
  type BoardAtResponse,
  type ClassReplayResponse,
  broadcastStatusResponseSchema,
  playbackResponseSchema,
  recordingListResponseSchema,
  recordingResponseSchema,
  type BroadcastStatusResponse,
  type PlaybackResponse,
  type RecordingSummary,
  type UpdateRecordingRequest,
} from '@educloud/protocol';
import type { ApiClient } from '../api/api-client.js';

const classPath = (id: string) => `/api/classes/${encodeURIComponent(id)}`;
const recordingPath = (classId: string, rid: string) =>
  `${classPath(classId)}/recordings/${encodeURIComponent(rid)}`;

/** Members (guests of the class included) may read these. */
export function getBroadcastStatus(
  api: ApiClient,
  classId: string,
): Promise<BroadcastStatusResponse> {
  return api.request(`${classPath(classId)}/broadcast`, {
    auth: { classId },
    schema: broadcastStatusResponseSchema,
  });
}

export async function listRecordings(api: ApiClient, classId: string): Promise<RecordingSummary[]> {
  const res = await api.request(`${classPath(classId)}/recordings`, {
    auth: { classId },
    schema: recordingListResponseSchema,
  });
  return res.recordings;
}

export function getPlayback(
  api: ApiClient,
  classId: string,
  rid: string,
): Promise<PlaybackResponse> {
  return api.request(`${recordingPath(classId, rid)}/playback`, {
    auth: { classId },
    schema: playbackResponseSchema,
  });
}

export async function updateRecording(
  api: ApiClient,
  classId: string,
  rid: string,
  body: UpdateRecordingRequest,
): Promise<RecordingSummary> {
  const res = await api.request(recordingPath(classId, rid), {
    method: 'PATCH',
    body,
    schema: recordingResponseSchema,
  });
  return res.recording;
}

export async function deleteRecording(api: ApiClient, classId: string, rid: string): Promise<void> {
  await api.request(recordingPath(classId, rid), { method: 'DELETE' });
}

/** A class recording's replay: tracks, timeline, signed file links, export state. */
export function getClassReplay(
  api: ApiClient,
  classId: string,
  rid: string,
): Promise<ClassReplayResponse> {
  return api.request(`${recordingPath(classId, rid)}/replay`, {
    auth: { classId },
    schema: classReplayResponseSchema,
  });
}

/** The whiteboard's records at `at` (epoch ms) of a class recording. */
export function getBoardAt(
  api: ApiClient,
  classId: string,
  rid: string,
  at: number,
): Promise<BoardAtResponse> {
  return api.request(`${recordingPath(classId, rid)}/board?at=${Math.round(at)}`, {
    auth: { classId },
    schema: boardAtResponseSchema,
  });
}

export async function startClassExport(api: ApiClient, classId: string, rid: string) {
  await api.request(`${recordingPath(classId, rid)}/export`, { method: 'POST' });
}

export function getRecordingSettings(
  api: ApiClient,
  classId: string,
): Promise<ClassRecordingSettings> {
  return api.request(`${classPath(classId)}/recording-settings`, {
    schema: classRecordingSettingsSchema,
  });
}

export function putRecordingSettings(
  api: ApiClient,
  classId: string,
  body: ClassRecordingSettings,
): Promise<ClassRecordingSettings> {
  return api.request(`${classPath(classId)}/recording-settings`, {
    method: 'PUT',
    body,
    schema: classRecordingSettingsSchema,
  });
}
