import { describe, expect, it } from 'vitest';
import { canMove, isFinished } from './session-status.js';

describe('session status transitions', () => {
  it('lets a waiting student in, and a dropped socket come back', () => {
    expect(canMove('connecting', 'waiting')).toBe(true);
    expect(canMove('waiting', 'joined')).toBe(true);
    expect(canMove('joined', 'reconnecting')).toBe(true);
    expect(canMove('reconnecting', 'joined')).toBe(true);
  });

  it('never leaves a finished state', () => {
    for (const end of [
      'ended',
      'replaced',
      'kicked',
      'removed',
      'locked',
      'denied',
      'left',
    ] as const) {
      expect(isFinished(end)).toBe(true);
      expect(canMove(end, 'joined')).toBe(false);
      expect(canMove(end, 'left')).toBe(false);
    }
    expect(isFinished('waiting')).toBe(false);
  });
});
