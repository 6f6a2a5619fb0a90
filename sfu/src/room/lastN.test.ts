import { describe, expect, it } from 'vitest';
import { selectCameraPeers, type LastNInputs } from './lastN.js';

const base: LastNInputs = {
  viewer: 'v',
  cameraPeers: ['t', 'a', 'b', 'c', 'd', 'v'],
  speakers: [],
  pinned: new Set(['t']),
  visible: new Set(),
  lastN: 2,
};
const pick = (over: Partial<LastNInputs>) => [...selectCameraPeers({ ...base, ...over })].sort();

describe('selectCameraPeers', () => {
  it('takes the pinned teacher and fills last-N in arrival order before anyone spoke', () => {
    expect(pick({})).toEqual(['a', 'b', 't']);
  });

  it('prefers the most recent speakers, never counting the viewer or the pinned', () => {
    expect(pick({ speakers: ['d', 'v', 't', 'c'] })).toEqual(['c', 'd', 't']);
  });

  it('adds the tiles on screen beyond N', () => {
    expect(pick({ speakers: ['d', 'c'], visible: new Set(['a']) })).toEqual(['a', 'c', 'd', 't']);
  });

  it('ignores speakers and tiles without a camera', () => {
    expect(pick({ speakers: ['x'], visible: new Set(['y']), lastN: 1 })).toEqual(['a', 't']);
  });

  it("receives every camera but its own with 'off', only the pinned with 0", () => {
    expect(pick({ lastN: 'off' })).toEqual(['a', 'b', 'c', 'd', 't']);
    expect(pick({ lastN: 0 })).toEqual(['t']);
  });
});
