import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LiveSession } from './live-session.js';
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
  beforeEach(() => {
    vi.useFakeTimers();
    // The session's socket (never connected here) takes its address from the page.
    vi.stubGlobal('location', new URL('http://127.0.0.1:9/'));
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('reaches the speaker store without rendering the room', () => {
    const session = new LiveSession('class-1', async () => null, {});
    (session as unknown as { listen(): void }).listen();
    const room = vi.fn();
    const speakers = vi.fn();
    session.subscribe(room);
    session.speakers.subscribe(speakers);
    const fire = (event: string, payload: unknown) => {
      const socket = session.socket as unknown as {
        listeners(e: string): ((p: unknown) => void)[];
      };
      for (const listener of socket.listeners(event)) listener(payload);
    };
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
