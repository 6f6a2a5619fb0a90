import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { StreamKeys } from './stream-keys.js';

describe('StreamKeys', () => {
  const keys = new StreamKeys(Buffer.alloc(32, 7));

  it('verifies the key it derived, for many salts (MACs containing _ and -)', () => {
    for (let i = 0; i < 200; i++) {
      const id = randomUUID();
      const salt = keys.newSalt();
      const key = keys.keyFor(id, salt);
      expect(keys.claimedClassId(key)).toBe(id);
      expect(keys.matches(key, id, salt)).toBe(true);
    }
  });

  it('refuses a key after the salt rotates, and keys made with another server secret', () => {
    const id = randomUUID();
    const salt = keys.newSalt();
    const key = keys.keyFor(id, salt);
    expect(keys.matches(key, id, keys.newSalt())).toBe(false);
    const other = new StreamKeys(Buffer.alloc(32, 8));
    expect(keys.matches(other.keyFor(id, salt), id, salt)).toBe(false);
    expect(keys.matches(`${id}_`, id, salt)).toBe(false);
    expect(keys.claimedClassId('no-separator')).toBeNull();
    expect(keys.claimedClassId('_leading')).toBeNull();
  });
});
