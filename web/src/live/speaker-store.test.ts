import { describe, expect, it, vi } from 'vitest';
import { offlineSessions } from './offline-session.test-support.js';
import { SpeakerStore } from './speaker-store.js';

describe('SpeakerStore', () => {
  it('keeps the recent speakers, most recent first, and ignores identical news', () => {
    const store = new SpeakerStore();
    const told = vi.fn();
    store.subscribe(told);
    store.heard('a');
    store.heard('b');
    store.heard('a');
    store.heard('a');
    expect(store.snapshot()).toMatchObject({ active: 'a', recent: ['a', 'b'] });
    expect(told).toHaveBeenCalledTimes(3);
    expect(store.isSpeaking('a')).toBe(true);
    expect(store.isSpeaking('b')).toBe(false);
  });

  it('holds back the cameras last-N does not select, none before it says', () => {
    const store = new SpeakerStore();
    const told = vi.fn();
    store.subscribe(told);
    expect(store.isVideoHeld('b')).toBe(false);
    store.selected(['a']);
    store.selected(['a']);
    expect(told).toHaveBeenCalledTimes(1);
    expect(store.isVideoHeld('a')).toBe(false);
    expect(store.isVideoHeld('b')).toBe(true);
    store.selected(null);
    expect(store.isVideoHeld('b')).toBe(false);
  });
});

describe('LiveSession speaker news', () => {
  const sessions = offlineSessions();

  it('reaches the speaker store without rendering the room', () => {
    const session = sessions.create();
    const room = vi.fn();
    const speakers = vi.fn();
    session.subscribe(room);
    session.speakers.subscribe(speakers);
    const fire = (event: string, payload: unknown) => sessions.fire(session, event, payload);
    fire('speaker:active', { peerId: 'b' });
    fire('video:selection', { peerIds: ['b', 'c'] });
    // Past the room's batching of peer news.
    vi.advanceTimersByTime(500);
    expect(session.speakers.snapshot().active).toBe('b');
    expect(session.speakers.isVideoHeld('a')).toBe(true);
    expect(session.speakers.isVideoHeld('c')).toBe(false);
    expect(speakers).toHaveBeenCalledTimes(2);
    expect(room).not.toHaveBeenCalled();
  });
});
