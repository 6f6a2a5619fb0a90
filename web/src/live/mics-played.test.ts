import { expect, it } from 'vitest';
import type { RemotePeer } from './live-session.js';
import { micsPlayed } from './mics-played.js';

const peer = (peerId: string, role: 'teacher' | 'student'): RemotePeer =>
  ({
    info: { peerId, role },
    tracks: [
      { consumerId: `${peerId}-mic`, kind: 'audio', source: 'mic' },
      { consumerId: `${peerId}-cam`, kind: 'video', source: 'camera' },
    ],
  }) as unknown as RemotePeer;

const room = [
  peer('t', 'teacher'),
  peer('a', 'student'),
  peer('b', 'student'),
  peer('c', 'student'),
];

it('plays every microphone without a limit', () => {
  expect([...micsPlayed(room, ['c'], 0)].sort()).toEqual(['a-mic', 'b-mic', 'c-mic', 't-mic']);
});

it("plays the teachers' and the most recent speakers' microphones with a limit", () => {
  expect([...micsPlayed(room, ['c', 'a', 'b'], 2)].sort()).toEqual(['a-mic', 'c-mic', 't-mic']);
  // Before anyone spoke: the teachers only.
  expect([...micsPlayed(room, [], 2)]).toEqual(['t-mic']);
});
