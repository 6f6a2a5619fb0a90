import { T } from 'tldraw';

/**
 * tldraw validates every shape's fractional `index` by generating a key above it
 * (`validateIndexKey` → `generateJitteredKeyBetween`): about 40% of validating a board's
 * records, 0.1–0.2 s of a student's page opening a 10,000-shape board. Nearly every index
 * tldraw makes has a head `a`–`x` (an integer part of 2 to 25 characters) followed by base-62
 * digits; such a key is accepted at once (fractional-indexing-jittered takes every one of
 * them), and anything else goes to tldraw's own check, so what is refused stays the same.
 */
const common = /^[a-x][0-9A-Za-z]*$/;

/** True when `key` is an index tldraw's check is known to accept without running it. */
export function isCommonIndexKey(key: unknown): key is string {
  if (typeof key !== 'string' || !common.test(key)) return false;
  // The head letter gives the length of the integer part: `a` 2, `b` 3, … `x` 25.
  return key.length >= key.charCodeAt(0) - 97 + 2;
}

interface PatchableValidator {
  validationFn: (value: unknown) => unknown;
}

let installed = false;

/** Puts the shortcut in front of tldraw's index validator (once per page). */
export function installFastIndexKeyCheck(): void {
  if (installed) return;
  installed = true;
  const validator = T.indexKey as unknown as PatchableValidator;
  const full = validator.validationFn;
  validator.validationFn = (value) => (isCommonIndexKey(value) ? value : full(value));
}
