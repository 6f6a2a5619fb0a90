import { describe, expect, it } from 'vitest';
import { KeyFrameWatch } from './key-frame-watch.js';

describe('KeyFrameWatch', () => {
  it('asks for a key frame when the producer score falls, not while it holds or recovers', () => {
    const w = new KeyFrameWatch();
    expect([10, 10, undefined, 10].map((s) => w.afterScore(s))).toEqual([
      false,
      false,
      false,
      false,
    ]);
    expect(w.afterScore(7)).toBe(true);
    expect(w.afterScore(7)).toBe(false);
    expect(w.afterScore(9)).toBe(false);
    expect(w.afterScore(4)).toBe(true);
  });
});
