import { describe, expect, it } from 'vitest';
import { formatSchedule, isoToLocalInput, localInputToIso } from './datetime.js';

describe('datetime-local conversions', () => {
  it('round-trips a local wall time through an ISO instant', () => {
    const iso = localInputToIso('2026-03-29T09:30');
    expect(iso).toMatch(/^2026-03-2\dT\d{2}:30:00\.000Z$/);
    expect(isoToLocalInput(iso)).toBe('2026-03-29T09:30');
  });

  it('maps empty to null and garbage to undefined', () => {
    expect(localInputToIso('')).toBeNull();
    expect(localInputToIso('tomorrow')).toBeUndefined();
    expect(isoToLocalInput(null)).toBe('');
  });
});

describe('formatSchedule', () => {
  it('writes a same-day range with one date', () => {
    const text = formatSchedule('2026-05-04T09:00:00Z', '2026-05-04T10:30:00Z', 'en-GB', 'UTC');
    expect(text).toBe('4 May 2026, 09:00 – 10:30');
  });

  it('says when nothing is scheduled', () => {
    expect(formatSchedule(null, null)).toBe('Not scheduled');
  });
});
