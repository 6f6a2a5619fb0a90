import { describe, expect, it } from 'vitest';
import { commandFor, roomShortcuts } from './room-shortcuts.js';

const press = (code: string, mods: Partial<Record<'altKey' | 'ctrlKey' | 'metaKey', boolean>>) =>
  commandFor({ code, altKey: false, ctrlKey: false, metaKey: false, ...mods });

describe('room shortcuts', () => {
  it('maps Alt + key to its command by physical key', () => {
    expect(press('KeyM', { altKey: true })).toBe('mic');
    expect(press('KeyV', { altKey: true })).toBe('camera');
    expect(press('KeyH', { altKey: true })).toBe('hand');
    expect(press('KeyQ', { altKey: true })).toBe('leave');
    expect(press('Slash', { altKey: true })).toBe('help');
  });

  it('leaves plain letters and other modifiers to the board and the browser', () => {
    expect(press('KeyM', {})).toBeNull();
    expect(press('KeyM', { altKey: true, ctrlKey: true })).toBeNull();
    expect(press('KeyM', { altKey: true, metaKey: true })).toBeNull();
    expect(press('KeyZ', { altKey: true })).toBeNull();
  });

  it('gives every command one key', () => {
    const codes = roomShortcuts.map((s) => s.code);
    expect(new Set(codes).size).toBe(codes.length);
  });
});
