import { describe, expect, it } from 'vitest';
import { loginPathFor, safeNextPath } from './next-path.js';

describe('safeNextPath', () => {
  it('accepts in-app paths', () => {
    expect(safeNextPath('/join/abc')).toBe('/join/abc');
  });

  it('rejects other origins, protocol-relative URLs and auth pages', () => {
    for (const bad of [
      'https://evil.example',
      '//evil.example',
      '/\\evil.example',
      '/login',
      null,
    ]) {
      expect(safeNextPath(bad)).toBe('/');
    }
  });
});

describe('loginPathFor', () => {
  it('remembers where to come back to', () => {
    expect(loginPathFor('/classes/1')).toBe('/login?next=%2Fclasses%2F1');
    expect(loginPathFor('/')).toBe('/login');
  });
});
