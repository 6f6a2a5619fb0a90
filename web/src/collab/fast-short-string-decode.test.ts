import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  installFastShortStringDecode,
  readAnyFast,
  readVarStringFast,
} from './fast-short-string-decode.js';

// A new seed each run widens what is covered over time; a failure prints the seed to replay
// it with DECODE_SEED=<seed>.
const seed = Number(process.env.DECODE_SEED ?? Math.floor(Math.random() * 2 ** 31));
console.log(`fast-short-string-decode: DECODE_SEED=${seed}`);

/** mulberry32: small, seedable, good enough to pick characters. */
function randomFrom(s: number): () => number {
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const random = randomFrom(seed);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const between = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));

/** Code points by UTF-8 length: 1 byte (controls and NUL included), 2, 3 (BOM too), 4. */
const ranges: Record<string, [number, number][]> = {
  ascii: [[0x00, 0x7f]],
  twoBytes: [[0x80, 0x7ff]],
  threeBytes: [
    [0x800, 0xd7ff],
    [0xe000, 0xffff],
  ],
  fourBytes: [[0x10000, 0x10ffff]],
  emoji: [[0x1f300, 0x1faff]],
};
const codePoint = (kind: string) => between(...pick(ranges[kind]!));

/** At most n code points of a random string (cutting it by code units could split a pair). */
const codePoints = (n: number) => [...randomString()].slice(0, n).join('');

function randomString(): string {
  const length = pick([0, 1, 2, 5, 12, 13, 31, 32, 33, 40, 64, 100, 300, 5000]);
  const shape = pick(['ascii', 'ascii', 'ascii', 'mixed', 'oneNonAscii', 'lastNonAscii']);
  const kinds = Object.keys(ranges);
  const points = Array.from({ length }, () => codePoint(shape === 'mixed' ? pick(kinds) : 'ascii'));
  if (length > 0 && shape === 'oneNonAscii')
    points[between(0, length - 1)] = codePoint(pick(kinds));
  if (length > 0 && shape === 'lastNonAscii') points[length - 1] = codePoint(pick(kinds));
  return String.fromCodePoint(...points);
}

const fixedStrings = [
  '',
  'a',
  'shape:abc',
  '\0',
  '\x7f',
  'é',
  '\u00ff',
  '€',
  '\ufeff',
  '\ufeffbom first',
  '日本語のテキスト',
  '😀',
  'a😀b',
  '👩‍👩‍👧‍👦',
  '\ud83d', // a lone surrogate: written as U+FFFD by lib0's encoder
  'x'.repeat(32),
  'x'.repeat(33),
  'x'.repeat(31) + 'é',
  'x'.repeat(100_000),
];

/** What a read gives: the value and where it left the decoder, or the error it threw. */
function outcome<T>(read: (d: decoding.Decoder) => T, bytes: Uint8Array, reads: number) {
  const decoder = decoding.createDecoder(bytes);
  const results: unknown[] = [];
  try {
    for (let i = 0; i < reads; i++) results.push([read(decoder), decoder.pos]);
  } catch (err) {
    results.push(['threw', (err as Error).constructor.name, (err as Error).message]);
  }
  return results;
}

describe('the fast var-string decoder', () => {
  it('reads what lib0 reads: seeded random strings, one after another in a buffer', () => {
    const strings = [...fixedStrings, ...Array.from({ length: 3000 }, randomString)];
    const encoder = encoding.createEncoder();
    for (const s of strings) encoding.writeVarString(encoder, s);
    const bytes = encoding.toUint8Array(encoder);
    const fast = outcome(readVarStringFast, bytes, strings.length);
    expect(fast).toEqual(outcome(decoding.readVarString, bytes, strings.length));
    // Not vacuous: both read every string back, the short ASCII ones in the fast path.
    expect(fast.map((r) => (r as [string])[0])).toEqual(
      strings.map((s) => (s === '\ud83d' ? '\ufffd' : s)),
    );
    expect(
      strings.filter((s) => s.length > 0 && s.length <= 32 && /^[\0-\x7f]*$/.test(s)).length,
    ).toBeGreaterThan(500);
  });

  it('reads what lib0 reads when strings repeat, or share a slot of its recent strings', () => {
    // 20,000 distinct strings of 5 characters fill the 4,096 slots many times over: equal
    // lengths, different bytes, in the same slot. Read twice, the second time after the first
    // has filled the slots.
    const strings = Array.from({ length: 20_000 }, (_, i) => `k${i.toString(36).padStart(4, '.')}`);
    strings.push(...strings.slice(0, 5000), ...Array.from({ length: 2000 }, randomString));
    const encoder = encoding.createEncoder();
    for (const s of [...strings, ...strings]) encoding.writeVarString(encoder, s);
    const bytes = encoding.toUint8Array(encoder);
    const reads = strings.length * 2;
    const fast = outcome(readVarStringFast, bytes, reads);
    expect(fast).toEqual(outcome(decoding.readVarString, bytes, reads));
    expect(fast.map((r) => (r as [string])[0])).toEqual([...strings, ...strings]);
  });

  it('reads what lib0 reads for a string that ends its buffer, or runs past it', () => {
    for (const s of [...fixedStrings, ...Array.from({ length: 500 }, randomString)]) {
      const encoder = encoding.createEncoder();
      encoding.writeVarString(encoder, s);
      const bytes = encoding.toUint8Array(encoder);
      expect(outcome(readVarStringFast, bytes, 1)).toEqual(
        outcome(decoding.readVarString, bytes, 1),
      );
      // Cut short, alone and as a view on a larger buffer (lib0 reads past the view's end).
      const cut = bytes.subarray(0, bytes.length - 1);
      expect(outcome(readVarStringFast, cut, 1)).toEqual(outcome(decoding.readVarString, cut, 1));
      const alone = cut.slice();
      expect(outcome(readVarStringFast, alone, 1)).toEqual(
        outcome(decoding.readVarString, alone, 1),
      );
    }
  });

  it('reads what lib0 reads from random bytes (malformed UTF-8 included)', () => {
    for (let i = 0; i < 3000; i++) {
      const length = between(0, 40);
      const highBytes = random() < 0.5;
      const bytes = Uint8Array.from({ length: length + 1 }, (_, k) =>
        k === 0 ? length : between(0, highBytes ? 0xff : 0x7f),
      );
      expect(outcome(readVarStringFast, bytes, 1)).toEqual(
        outcome(decoding.readVarString, bytes, 1),
      );
    }
  });

  it('reads the same values as lib0 readAny (nested objects and arrays, every type)', () => {
    const leaf = (): unknown =>
      pick<() => unknown>([
        () => randomString(),
        () => between(-1e6, 1e6),
        () => random() * 1e3,
        () => 2 ** 40 + between(0, 1000),
        () => BigInt(between(-1e6, 1e6)) * 2n ** 40n,
        () => random() < 0.5,
        () => null,
        () => undefined,
        () => Uint8Array.from({ length: between(0, 5) }, () => between(0, 255)),
      ])();
    const value = (depth: number): unknown => {
      if (depth > 3 || random() < 0.4) return leaf();
      const size = between(0, 6);
      if (random() < 0.5) return Array.from({ length: size }, () => value(depth + 1));
      return Object.fromEntries(
        Array.from({ length: size }, () => [randomString(), value(depth + 1)]),
      );
    };
    const values = Array.from({ length: 2000 }, () => value(0));
    const encoder = encoding.createEncoder();
    for (const v of values) encoding.writeAny(encoder, v as encoding.AnyEncodable);
    const bytes = encoding.toUint8Array(encoder);
    const fast = outcome(readAnyFast, bytes, values.length);
    expect(fast).toEqual(outcome(decoding.readAny, bytes, values.length));
    expect(fast).toHaveLength(values.length);
    // A tag readAny does not know: both must fail alike.
    const bad = Uint8Array.of(50, 1, 2);
    expect(outcome(readAnyFast, bad, 1)).toEqual(outcome(decoding.readAny, bad, 1));
  }, 30_000);
});

describe('installed into Yjs', () => {
  it('decodes a real document into the same one lib0 does', () => {
    const source = new Y.Doc();
    const records = source.getMap<unknown>('tldraw');
    const ids: string[] = [];
    source.transact(() => {
      for (let i = 0; i < 3000; i++) {
        // The colon keeps ids apart: codePoints may give fewer than 3 (shape:1 + '2' = shape:12).
        const id = `shape:${i.toString(36)}:${codePoints(3)}`;
        ids.push(id);
        records.set(id, {
          id,
          typeName: 'shape',
          type: 'geo',
          x: i * 1.5,
          y: -i,
          rotation: 0,
          isLocked: false,
          opacity: 1,
          meta: {},
          parentId: 'page:page',
          index: `a${i.toString(36)}`,
          props: {
            w: 100,
            h: 80,
            geo: pick(['rectangle', 'ellipse', 'star']),
            color: 'black',
            richText: {
              type: 'doc',
              content: [{ type: 'paragraph', content: [{ type: 'text', text: codePoints(20) }] }],
            },
          },
        });
      }
      source.getText('notes').insert(0, `Notes ✏️ ${randomString()} ${'long '.repeat(50)}`);
      const nested = new Y.Map<unknown>();
      records.set('nested', nested);
      nested.set('clé', ['ß', '😀', 1]);
    });
    // A later transaction deleting a record: the update carries a delete set too.
    records.delete(ids[0]!);
    const update = Y.encodeStateAsUpdate(source);

    const byLib0 = new Y.Doc();
    Y.applyUpdate(byLib0, update);
    const original = Y.UpdateDecoderV1.prototype.readAny;
    installFastShortStringDecode();
    expect(Y.UpdateDecoderV1.prototype.readAny).not.toBe(original);
    const byFast = new Y.Doc();
    Y.applyUpdate(byFast, update);

    const json = byFast.getMap('tldraw').toJSON();
    expect(Object.keys(json)).toHaveLength(3000);
    expect(json).toEqual(byLib0.getMap('tldraw').toJSON());
    expect(byFast.getText('notes').toString()).toBe(byLib0.getText('notes').toString());
    // The same structs in the same store encode to the same bytes.
    const bytes = (doc: Y.Doc) => Buffer.from(Y.encodeStateAsUpdate(doc));
    expect(bytes(byFast).equals(bytes(byLib0))).toBe(true);
    expect(json).toEqual(source.getMap('tldraw').toJSON());
  }, 60_000);
});
