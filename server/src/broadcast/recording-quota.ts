import type { AdmitBroadcast } from '@educloud/rtmp-ingest';
import { formatBytes } from '@educloud/rtmp-ingest';

/**
 * The per-teacher recording quota: the recordings of every class the class's creator made count
 * together, and a new broadcast is refused once they reach the limit (finished recordings only:
 * the one being recorded counts from when it is finalized).
 */
export function recordingQuota(deps: {
  limitBytes: number;
  classesOfCreator: (classId: string) => Promise<string[]>;
  bytesUsed: (classIds: readonly string[]) => Promise<number>;
}): AdmitBroadcast {
  return async (classId) => {
    if (deps.limitBytes <= 0) return null;
    const used = await deps.bytesUsed(await deps.classesOfCreator(classId));
    if (used < deps.limitBytes) return null;
    return {
      code: 'quota_exceeded',
      message:
        `The recordings of this teacher's classes use ${formatBytes(used)} of the ` +
        `${formatBytes(deps.limitBytes)} allowed: delete recordings to broadcast again.`,
    };
  };
}
