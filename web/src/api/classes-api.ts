import {
  classListResponseSchema,
  classResponseSchema,
  inviteResponseSchema,
  rosterResponseSchema,
  streamKeyResponseSchema,
  type ClassInfo,
  type CreateClassRequest,
  type RosterResponse,
  type StreamKeyResponse,
  type UpdateClassRequest,
} from '@educloud/protocol';
import type { ApiClient } from './api-client.js';

const classPath = (id: string) => `/api/classes/${encodeURIComponent(id)}`;

export async function listClasses(api: ApiClient): Promise<ClassInfo[]> {
  return (await api.request('/api/classes', { schema: classListResponseSchema })).classes;
}

export async function createClass(api: ApiClient, body: CreateClassRequest): Promise<ClassInfo> {
  const res = await api.request('/api/classes', {
    method: 'POST',
    body,
    schema: classResponseSchema,
  });
  return res.class;
}

/** Readable by the class's members, and by a guest holding a token for this class. */
export async function getClass(api: ApiClient, id: string): Promise<ClassInfo> {
  const res = await api.request(classPath(id), {
    auth: { classId: id },
    schema: classResponseSchema,
  });
  return res.class;
}

export async function updateClass(
  api: ApiClient,
  id: string,
  body: UpdateClassRequest,
): Promise<ClassInfo> {
  const res = await api.request(classPath(id), {
    method: 'PATCH',
    body,
    schema: classResponseSchema,
  });
  return res.class;
}

export async function deleteClass(api: ApiClient, id: string): Promise<void> {
  await api.request(classPath(id), { method: 'DELETE' });
}

export async function getRoster(api: ApiClient, id: string): Promise<RosterResponse['members']> {
  const res = await api.request(`${classPath(id)}/roster`, { schema: rosterResponseSchema });
  return res.members;
}

export async function regenerateInvite(api: ApiClient, id: string): Promise<string | null> {
  const res = await api.request(`${classPath(id)}/invite`, {
    method: 'POST',
    schema: inviteResponseSchema,
  });
  return res.inviteUrl;
}

export async function revokeInvite(api: ApiClient, id: string): Promise<null> {
  await api.request(`${classPath(id)}/invite`, { method: 'DELETE', schema: inviteResponseSchema });
  return null;
}

export async function getStreamKey(api: ApiClient, id: string): Promise<StreamKeyResponse> {
  return api.request(`${classPath(id)}/stream-key`, { schema: streamKeyResponseSchema });
}

export async function rotateStreamKey(api: ApiClient, id: string): Promise<StreamKeyResponse> {
  return api.request(`${classPath(id)}/stream-key`, {
    method: 'POST',
    schema: streamKeyResponseSchema,
  });
}
