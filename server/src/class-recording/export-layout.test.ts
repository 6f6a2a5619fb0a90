import { describe, expect, it } from 'vitest';
import type { RecordingTrack } from '@educloud/protocol';
import { exportLayout } from './export-layout.js';

const T = 1_000_000;
const track = (
  trackId: string,
  peerId: string,
  source: RecordingTrack['source'],
  from: number,
  to: number | null,
): RecordingTrack => ({
  trackId,
  peerId,
  name: peerId,
  kind: source === 'mic' ? 'audio' : 'video',
  source,
  startedAt: T + from,
  endedAt: to === null ? null : T + to,
  file: `${trackId}.webm`,
});
const shots = (l: ReturnType<typeof exportLayout>['cameras']) =>
  l.map((s) => [s.track.trackId, s.from, s.to]);

describe('exportLayout', () => {
  const teacher = track('t', 'teacher', 'camera', 0, 60_000);
  const ann = track('a', 'ann', 'camera', 5_000, 40_000);
  const bob = track('b', 'bob', 'camera', 0, 60_000);

  it("follows the speaker's camera, from the longest camera until someone speaks", () => {
    const l = exportLayout(
      [ann, teacher, track('m', 'ann', 'mic', 0, 60_000)],
      [
        { at: T + 10_000, peerId: 'ann' },
        { at: T + 20_000, peerId: 'teacher' },
      ],
      T,
      T + 60_000,
    );
    expect(shots(l.cameras)).toEqual([
      ['t', 0, 10],
      ['a', 10, 20],
      ['t', 20, 60],
    ]);
    expect(l.content).toEqual([]);
  });

  it('keeps the camera shown while the speaker has none, or nobody speaks', () => {
    const l = exportLayout(
      [teacher, bob],
      [
        { at: T + 10_000, peerId: 'bob' },
        { at: T + 20_000, peerId: 'carl' },
        { at: T + 30_000, peerId: null },
        { at: T + 40_000, peerId: 'teacher' },
      ],
      T,
      T + 60_000,
    );
    expect(shots(l.cameras)).toEqual([
      ['t', 0, 10],
      ['b', 10, 40],
      ['t', 40, 60],
    ]);
  });

  it("goes back to another camera when the speaker's stops, and back again when it returns", () => {
    const annAgain = track('a2', 'ann', 'camera', 45_000, null);
    const l = exportLayout(
      [teacher, ann, annAgain],
      [{ at: T + 6_000, peerId: 'ann' }],
      T,
      T + 60_000,
    );
    expect(shots(l.cameras)).toEqual([
      ['t', 0, 6],
      ['a', 6, 40],
      ['t', 40, 45],
      ['a2', 45, 60],
    ]);
  });

  it('shows a screen share whole while it runs, over the cameras', () => {
    const screen = track('s', 'teacher', 'screen', 15_000, 25_000);
    const l = exportLayout([teacher, screen], [], T, T + 60_000);
    expect(shots(l.content)).toEqual([['s', 15, 25]]);
    expect(shots(l.cameras)).toEqual([['t', 0, 60]]);
  });
});
