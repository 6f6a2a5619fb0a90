import { describe, expect, it } from 'vitest';
import {
  clockOffsetMs,
  expiresSoon,
  MIN_REFRESH_DELAY_MS,
  refreshDelayMs,
} from './refresh-timing.js';

describe('refreshDelayMs', () => {
  const now = 1_000_000;

  it('refreshes a minute before a 15-minute token expires', () => {
    expect(refreshDelayMs(now + 15 * 60_000, now)).toBe(14 * 60_000);
  });

  it('keeps a fifth of the lifetime in reserve for short tokens', () => {
    expect(refreshDelayMs(now + 100_000, now)).toBe(80_000);
  });

  it('never schedules a tight loop for expired or nearly expired tokens', () => {
    expect(refreshDelayMs(now - 60_000, now)).toBe(MIN_REFRESH_DELAY_MS);
    expect(refreshDelayMs(now + 1_000, now)).toBe(MIN_REFRESH_DELAY_MS);
  });

  it('stays within what setTimeout accepts', () => {
    expect(refreshDelayMs(now + 365 * 24 * 3600_000, now)).toBe(2_147_483_647);
  });
});

describe('expiresSoon', () => {
  it('is true within the safety window', () => {
    expect(expiresSoon(10_000, 0)).toBe(true);
    expect(expiresSoon(60_000, 0)).toBe(false);
  });
});

describe('clockOffsetMs', () => {
  it('measures a server clock that runs ahead', () => {
    const local = Date.parse('2026-01-01T10:00:00Z');
    expect(clockOffsetMs('Thu, 01 Jan 2026 10:05:00 GMT', local)).toBe(5 * 60_000);
  });

  it('ignores header rounding and missing or broken headers', () => {
    const local = Date.parse('2026-01-01T10:00:00.900Z');
    expect(clockOffsetMs('Thu, 01 Jan 2026 10:00:00 GMT', local)).toBe(0);
    expect(clockOffsetMs(null, local)).toBe(0);
    expect(clockOffsetMs('yesterday', local)).toBe(0);
  });
});
