import { join } from 'node:path';
import type { ClassReplayResponse } from '@educloud/protocol';
import { readTimeline, TIMELINE_FILE } from '../class-recording/timeline-log.js';
import type { TestServer } from './test-server.js';
import { until } from './until.js';

type Export = ClassReplayResponse['export'];

/** The path of a class recording's replay in the API. */
export const replayPath = (classId: string, recordingId: string) =>
  `/api/classes/${classId}/recordings/${recordingId}/replay`;

/** The replay once the recording is finalized (the API answers 409 until then). */
export function replayWhenReady(
  s: TestServer,
  path: string,
  token: string,
  ms = 60_000,
): Promise<ClassReplayResponse> {
  return until(
    async () => {
      const r = await s.call('GET', path, { token });
      return r.status === 200 ? (r.body as ClassReplayResponse) : null;
    },
    ms,
    'the replay',
  );
}

/**
 * Asks for the MP4 export (202) and waits until it is ready; a failed export throws. `seen`
 * gets each status polled (a test of its progress reads them).
 */
export async function exportWhenReady(
  s: TestServer,
  path: string,
  token: string,
  { ms = 120_000, seen }: { ms?: number; seen?: (e: Export) => void } = {},
): Promise<Export> {
  const asked = await s.call('POST', path.replace(/replay$/, 'export'), { token });
  if (asked.status !== 202) throw new Error(`the export was refused: ${asked.status}`);
  return until(
    async () => {
      const e = ((await s.call('GET', path, { token })).body as ClassReplayResponse).export;
      seen?.(e);
      if (e.status === 'failed') throw new Error('the export failed');
      return e.status === 'ready' ? e : null;
    },
    ms,
    'the export',
  );
}

/** Waits until `count` video tracks of the recording in `dir` have started (on its timeline). */
export function videoTracksStarted(dir: string, count = 1, ms = 60_000): Promise<true> {
  return until(
    async () => {
      const events = await readTimeline(join(dir, TIMELINE_FILE));
      const started = events.filter(
        (e) => e.type === 'track' && e.state === 'started' && e.track.kind === 'video',
      );
      return started.length >= count;
    },
    ms,
    count === 1 ? 'the camera to be recorded' : `${count} cameras to be recorded`,
  );
}
