import {
  classResponseSchema,
  guestJoinResponseSchema,
  invitePreviewResponseSchema,
  type ClassInfo,
  type GuestJoinRequest,
  type InvitePreviewResponse,
} from '@educloud/protocol';
import type { ApiClient } from './api-client.js';
import type { StoredGuest } from './session-store.js';

const invitePath = (code: string) => `/api/invites/${encodeURIComponent(code)}`;

export async function previewInvite(
  api: ApiClient,
  code: string,
): Promise<InvitePreviewResponse['class']> {
  const res = await api.request(invitePath(code), {
    auth: 'none',
    schema: invitePreviewResponseSchema,
  });
  return res.class;
}

export async function joinWithInvite(api: ApiClient, code: string): Promise<ClassInfo> {
  const res = await api.request(`${invitePath(code)}/join`, {
    method: 'POST',
    schema: classResponseSchema,
  });
  return res.class;
}

export async function joinAsGuest(
  api: ApiClient,
  code: string,
  body: GuestJoinRequest,
): Promise<StoredGuest> {
  const res = await api.request(`${invitePath(code)}/guest`, {
    method: 'POST',
    body,
    auth: 'none',
    schema: guestJoinResponseSchema,
  });
  return api.startGuest(res);
}
