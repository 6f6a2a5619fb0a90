import { describe, expect, it } from 'vitest';
import {
  breakoutDocumentName,
  classDocumentName,
  collabClose,
  isValidCollabDocName,
  parseCollabDocName,
} from './collab.js';

describe('collab document names', () => {
  it('parses the documents the classroom uses', () => {
    const id = '0b7c6a52-4f0e-4d7e-9a55-2f3f1d5c9e10';
    expect(parseCollabDocName(classDocumentName(id, 'board'))).toEqual({
      scope: 'class',
      id,
      kind: 'board',
    });
    expect(parseCollabDocName(classDocumentName(id, 'notes'))?.kind).toBe('notes');
    expect(parseCollabDocName(breakoutDocumentName('b1'))).toEqual({
      scope: 'breakout',
      id: 'b1',
      kind: 'board',
    });
  });

  it('refuses every other shape', () => {
    for (const name of [
      'class/x/secret',
      'breakout/x/notes',
      'class//board',
      'class/a/b/board',
      'class/../board',
      `class/${'a'.repeat(65)}/board`,
      'class/x/board/',
      '/class/x/board',
      'other/x/board',
    ]) {
      expect(isValidCollabDocName(name), name).toBe(false);
      expect(parseCollabDocName(name), name).toBeNull();
    }
  });

  it('keeps 44xx for what a retry cannot fix and 45xx for later', () => {
    expect(collabClose.documentReset.code).toBe(4410);
    expect(collabClose.writeBudget.code).toBe(4429);
    const codes = Object.values(collabClose).map((c) => c.code);
    for (const c of codes) expect(c === 1001 || c === 1009 || c === 1011 || c >= 4400).toBe(true);
  });
});
