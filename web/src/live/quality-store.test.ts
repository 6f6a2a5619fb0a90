import { describe, expect, it, vi } from 'vitest';
import { offlineSessions } from './offline-session.test-support.js';
import { QualityStore } from './quality-store.js';

describe('QualityStore', () => {
  it('tells its listeners only when a score changed', () => {
    const store = new QualityStore();
    const told = vi.fn();
    store.subscribe(told);
    store.apply({ send: 9, peers: new Map([['a', 10]]) });
    store.apply({ send: undefined, peers: new Map([['a', 10]]) });
    expect(told).toHaveBeenCalledTimes(1);
    store.apply({ send: undefined, peers: new Map([['a', 4]]) });
    expect(told).toHaveBeenCalledTimes(2);
    expect([store.send(), store.peer('a'), store.peer('b')]).toEqual([9, 4, null]);
    store.reset();
    expect([store.send(), store.peer('a')]).toEqual([null, null]);
  });
});

describe('LiveSession quality reports', () => {
  const sessions = offlineSessions();

  it('reach the quality store without rendering the room (a camera starting changes them)', () => {
    const session = sessions.create();
    const room = vi.fn();
    session.subscribe(room);
    (session as unknown as { applyQuality(r: unknown): void }).applyQuality({
      send: 7,
      peers: new Map([['b', 3]]),
    });
    vi.advanceTimersByTime(500);
    expect(session.qualities.peer('b')).toBe(3);
    expect(session.qualities.send()).toBe(7);
    expect(room).not.toHaveBeenCalled();
  });
});
