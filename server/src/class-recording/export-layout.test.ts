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

  describe('the whiteboard', () => {
    const spans = (l: ReturnType<typeof exportLayout>['board']) => l.map((x) => [x.from, x.to]);
    const stage = (at: number, content: 'board' | 'notes' | null) => ({ at: T + at, content });

    it('fills the picture while presented, and for a while after each change', () => {
      const l = exportLayout([teacher], [], T, T + 60_000, {
        changes: [T + 5_000, T + 9_000, T + 50_000],
        stage: [stage(20_000, 'board'), stage(30_000, null)],
      });
      // 5 s and 9 s drawn on (8 s each, joined), presented 20–30 s, drawn on at 50 s.
      expect(spans(l.board)).toEqual([
        [5, 17],
        [20, 30],
        [50, 58],
      ]);
      expect(shots(l.cameras)).toEqual([['t', 0, 60]]);
    });

    it('gives way to a screen share, and to the notes on stage', () => {
      const screen = track('s', 'teacher', 'screen', 24_000, 27_000);
      const l = exportLayout([teacher, screen], [], T, T + 60_000, {
        changes: [T + 5_000, T + 40_000],
        stage: [stage(0, 'notes'), stage(20_000, 'board'), stage(30_000, null)],
      });
      // The change at 5 s is under the notes; the board presented 20–30 s minus the share.
      expect(spans(l.board)).toEqual([
        [20, 24],
        [27, 30],
        [40, 48],
      ]);
      expect(shots(l.content)).toEqual([['s', 24, 27]]);
    });

    it("shows the speaker's camera small while the board or a screen fills the picture", () => {
      const screen = track('s', 'teacher', 'screen', 30_000, 35_000);
      const l = exportLayout(
        [teacher, bob, screen],
        [{ at: T + 22_000, peerId: 'bob' }],
        T,
        T + 60_000,
        { changes: [], stage: [stage(20_000, 'board'), stage(25_000, null)] },
      );
      expect(shots(l.pip)).toEqual([
        ['t', 20, 22],
        ['b', 22, 25],
        ['b', 30, 35],
      ]);
    });

    it('is never shown without its pictures', () => {
      const l = exportLayout([teacher], [], T, T + 60_000);
      expect(l.board).toEqual([]);
      expect(l.pip).toEqual([]);
    });
  });
});
