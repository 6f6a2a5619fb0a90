import * as decoding from 'lib0/decoding';
import * as Y from 'yjs';

/**
 * lib0 reads every string of a Yjs update with one `TextDecoder.decode` call. In Chromium each
 * call costs far more than decoding a short string does, and a tldraw board is mostly short
 * strings (record ids, property names, 'geo', 'black', index keys...): for a 10,000-shape
 * board that was most of the time between the socket opening and the document being synced.
 * A string of ASCII bytes up to this long is built here in plain JS; anything else (longer,
 * non-ASCII, malformed, running past the buffer) is left to lib0 itself, from the same position,
 * so what is returned or thrown is always what lib0 would have.
 */
// In Chromium 32 ASCII characters are about where the two ways cost the same (~0.25 µs).
const maxShortLength = 32;

/**
 * The string's character codes, reused from string to string. One `String.fromCharCode` call
 * over them makes a flat string; appending character by character would make V8 rope strings
 * for 13 characters and more, flattened later at a cost when tldraw hashes or compares them.
 */
const codes: number[] = [];

/**
 * Short strings decoded lately, by a hash of their bytes: a board repeats the same few
 * ('black', 'geo', 'props', 'page:page'...) thousands of times, and handing tldraw the same
 * string again is cheaper for its store than an equal new one (Chromium, 10,000 shapes: decode
 * and store.put 240 ms with a new string each time, 212 ms with these, 321 ms with lib0's).
 */
const recentSize = 4096; // a power of two
const recent: (string | undefined)[] = new Array<string | undefined>(recentSize).fill(undefined);

/** `decoding.readVarString`, with short ASCII strings decoded without the native decoder. */
export function readVarStringFast(decoder: decoding.Decoder): string {
  const start = decoder.pos;
  const length = decoding.readVarUint(decoder);
  const bytes = decoder.arr;
  const from = decoder.pos;
  if (length <= maxShortLength && from + length <= bytes.length) {
    codes.length = length;
    let hash = length;
    let i = 0;
    for (; i < length; i++) {
      const b = bytes[from + i]!;
      if (b > 0x7f) break;
      codes[i] = b;
      hash = (Math.imul(hash, 31) + b) | 0;
    }
    if (i === length) {
      decoder.pos = from + length;
      const slot = (hash ^ (hash >>> 12)) & (recentSize - 1);
      const known = recent[slot];
      if (known !== undefined && known.length === length) {
        let k = 0;
        while (k < length && known.charCodeAt(k) === codes[k]) k++;
        if (k === length) return known;
      }
      const s = String.fromCharCode.apply(null, codes);
      recent[slot] = s;
      return s;
    }
  }
  decoder.pos = start;
  return decoding.readVarString(decoder);
}

/** lib0's `readAny` tags this reads itself; every other tag is read by lib0. */
const anyString = 119;
const anyObject = 118;
const anyArray = 117;

/** `decoding.readAny` (same shapes, same order of reads), strings read by `readVarStringFast`. */
export function readAnyFast(decoder: decoding.Decoder): unknown {
  const tag = decoding.readUint8(decoder);
  switch (tag) {
    case anyString:
      return readVarStringFast(decoder);
    case anyObject: {
      const length = decoding.readVarUint(decoder);
      const obj: Record<string, unknown> = {};
      for (let i = 0; i < length; i++) {
        const key = readVarStringFast(decoder);
        obj[key] = readAnyFast(decoder);
      }
      return obj;
    }
    case anyArray: {
      const length = decoding.readVarUint(decoder);
      const arr: unknown[] = [];
      for (let i = 0; i < length; i++) arr.push(readAnyFast(decoder));
      return arr;
    }
    default:
      decoder.pos--;
      return decoding.readAny(decoder);
  }
}

let installed = false;

/**
 * Makes Yjs read the strings of V1 updates (the format y-websocket's sync protocol carries)
 * with the decoders above, once per page. lib0's module exports cannot be reassigned, but Yjs
 * reads every string of a V1 update through these four methods of `UpdateDecoderV1`: map keys
 * and type names (`readString`, `readKey`), plain JSON values such as tldraw records
 * (`readAny`), and legacy JSON content (`readJSON`).
 */
export function installFastShortStringDecode(): void {
  if (installed) return;
  installed = true;
  const proto = Y.UpdateDecoderV1.prototype;
  proto.readString = function (this: Y.UpdateDecoderV1) {
    return readVarStringFast(this.restDecoder);
  };
  proto.readKey = function (this: Y.UpdateDecoderV1) {
    return readVarStringFast(this.restDecoder);
  };
  proto.readAny = function (this: Y.UpdateDecoderV1) {
    return readAnyFast(this.restDecoder);
  };
  proto.readJSON = function (this: Y.UpdateDecoderV1) {
    return JSON.parse(readVarStringFast(this.restDecoder)) as unknown;
  };
}
