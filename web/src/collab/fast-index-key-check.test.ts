import { describe, expect, it } from 'vitest';
import { T, getIndicesBetween, type IndexKey } from 'tldraw';
import { installFastIndexKeyCheck, isCommonIndexKey } from './fast-index-key-check.js';

// tldraw's own check, as long as the shortcut is not installed (the last test installs it).
const acceptedByTldraw = (key: string) => T.indexKey.isValid(key);

describe('the fast index key check', () => {
  it('takes the indexes tldraw makes', () => {
    const keys = [
      ...getIndicesBetween(null, null, 3000),
      ...getIndicesBetween('a1' as IndexKey, 'a2' as IndexKey, 200),
    ];
    expect(keys.filter((k) => !isCommonIndexKey(k))).toEqual([]);
  });

  it('never takes a key that tldraw refuses', () => {
    const chars = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!~ ';
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const keys = ['', 'a', 'b0', 'x', 'a0 ', 'y0', 'z', 'A', ' a1', 'a1\n'];
    for (let i = 0; i < 20_000; i++) {
      const length = 1 + Math.floor(random() * 8);
      keys.push(Array.from({ length }, () => chars[Math.floor(random() * chars.length)]).join(''));
    }
    const wrong = keys.filter((k) => isCommonIndexKey(k) && !acceptedByTldraw(k));
    expect(wrong).toEqual([]);
    // The generated keys include many tldraw accepts, so the check above is not empty.
    expect(keys.filter(isCommonIndexKey).length).toBeGreaterThan(500);
  });

  it('leaves what tldraw refuses refused once installed', () => {
    const refused = ['', 'a', 'b1', '!!', 'a1 ', '~a1'].filter((k) => !acceptedByTldraw(k));
    installFastIndexKeyCheck();
    expect(T.indexKey.validate('a1V')).toBe('a1V');
    expect(refused.length).toBeGreaterThanOrEqual(4);
    for (const bad of [...refused, 5]) expect(() => T.indexKey.validate(bad)).toThrow();
  });
});
