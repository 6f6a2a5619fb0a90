/**
 * Dynacast's standby cameras and speaker switches, with fake producers and consumers (the
 * gating itself runs on a real worker in VideoSelection.test.ts): a recent speaker held back by
 * last-N keeps sending its lowest layer while a viewer could switch to it, so the switch needs
 * no publisher; a camera switched to is asked for its viewers' layer at once, and one switched
 * away from keeps its layers for LOWER_LAYER_AFTER_MS (a switch back finds them sent).
 */
import { EventEmitter } from 'node:events';
import { pino } from 'pino';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import type { RoomConsumer } from './consumerAppData.js';
import { ProducerDirectory, type RoomProducer } from './ProducerDirectory.js';
import { LOWER_LAYER_AFTER_MS, VideoSelection } from './VideoSelection.js';

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

const logger = pino({ level: 'silent' });

function fakeProducer(id: string): RoomProducer {
  return { id, kind: 'video', paused: false, appData: { source: 'camera' } } as RoomProducer;
}

/** What the room asked of each fake consumer, in order. */
const calls: string[] = [];

function fakeConsumer(id: string, viewer: string, producerPeerId: string): RoomConsumer {
  const c = {
    id,
    kind: 'video',
    producerId: `cam-${producerPeerId}`,
    closed: false,
    paused: true,
    preferredLayers: { spatialLayer: 1 },
    observer: new EventEmitter(),
    appData: { peerId: viewer, producerPeerId, source: 'camera', transportId: 't' },
    // The worker's answer to a resume never comes here: what follows must not wait on it.
    resume: () => (calls.push(`resume ${id}`), new Promise(() => undefined)),
    pause: () => (calls.push(`pause ${id}`), Promise.resolve()),
    requestKeyFrame: () => (calls.push(`keyFrame ${id}`), Promise.resolve()),
  };
  return c as unknown as RoomConsumer;
}

/** A room of a viewer and four students with cameras, last-N = 1. */
function room(standbyCameras: number) {
  const producers = new ProducerDirectory();
  const students = ['a', 'b', 'c', 'd'];
  for (const s of students) producers.add(fakeProducer(`cam-${s}`), s);
  const selection = new VideoSelection(
    producers,
    () => ['viewer', ...students],
    1,
    true,
    logger,
    standbyCameras,
  );
  const told = new Map<string, number | null>();
  /** Every layer told, per student, in order. */
  const history = new Map<string, (number | null)[]>();
  selection.on('layers', (e) => {
    told.set(e.peerId, e.maxSpatialLayer);
    history.set(e.peerId, [...(history.get(e.peerId) ?? []), e.maxSpatialLayer]);
  });
  for (const s of students) {
    const consumer = fakeConsumer(`viewer-${s}`, 'viewer', s);
    selection.track(consumer);
    selection.clientResumed(consumer);
  }
  return { selection, told, history };
}

it('keeps the lowest layer of the recent speakers last-N holds back, pauses the others', () => {
  const { selection, told } = room(2);
  // Nobody spoke: the viewer watches a (first camera), nobody is on standby.
  expect(Object.fromEntries(told)).toEqual({ a: 1, b: null, c: null, d: null });
  // d, then c, then b spoke (b last): the viewer watches b; c and d are the standby two.
  for (const s of ['d', 'c', 'b']) selection.speaker(s);
  // Raised at once (d and c were watched in turn), lowered once that held a while.
  expect(Object.fromEntries(told)).toEqual({ a: 1, b: 1, c: 1, d: 1 });
  vi.advanceTimersByTime(LOWER_LAYER_AFTER_MS);
  expect(Object.fromEntries(told)).toEqual({ a: null, b: 1, c: 0, d: 0 });
  // a speaks: it is watched, b drops to standby and d (least recent) is paused at its source.
  selection.speaker('a');
  expect(Object.fromEntries(told)).toEqual({ a: 1, b: 1, c: 0, d: 0 });
  vi.advanceTimersByTime(LOWER_LAYER_AFTER_MS);
  expect(Object.fromEntries(told)).toEqual({ a: 1, b: 0, c: 0, d: null });
});

it('asks a camera switched to for its top layer at once, with a key frame, not after', () => {
  const { selection, told, history } = room(2);
  for (const s of ['d', 'c', 'b']) selection.speaker(s);
  vi.advanceTimersByTime(LOWER_LAYER_AFTER_MS);
  calls.length = 0;
  // c, on standby (its lowest layer: watched, then lowered), speaks: in the same tick its
  // consumer resumes, a key
  // frame is asked for (the worker's answer to the resume never came), and the publisher is
  // told the layer the viewer wants (1), not the lowest to climb from.
  selection.speaker('c');
  expect(calls).toEqual(['pause viewer-b', 'resume viewer-c', 'keyFrame viewer-c']);
  expect(told.get('c')).toBe(1);
  expect(history.get('c')).toEqual([null, 1, 0, 1]);
});

it('keeps the layers of a speaker switched away from and back to within the delay', () => {
  const { selection, history } = room(0);
  selection.speaker('b');
  vi.advanceTimersByTime(LOWER_LAYER_AFTER_MS);
  expect(history.get('b')).toEqual([null, 1]);
  // b to c and back within the delay: b is never told to stop, c starts at once.
  selection.speaker('c');
  vi.advanceTimersByTime(LOWER_LAYER_AFTER_MS / 2);
  selection.speaker('b');
  vi.advanceTimersByTime(LOWER_LAYER_AFTER_MS);
  expect(history.get('b')).toEqual([null, 1]);
  expect(history.get('c')).toEqual([null, 1, null]);
  // Away for longer: b's camera is paused at its source once the delay passed.
  selection.speaker('d');
  vi.advanceTimersByTime(LOWER_LAYER_AFTER_MS - 1);
  expect(history.get('b')).toEqual([null, 1]);
  vi.advanceTimersByTime(1);
  expect(history.get('b')).toEqual([null, 1, null]);
});

it('pauses every unwatched camera with no standby, or when no viewer could switch to it', () => {
  const { selection, told } = room(0);
  for (const s of ['d', 'c', 'b']) selection.speaker(s);
  vi.advanceTimersByTime(LOWER_LAYER_AFTER_MS);
  expect(Object.fromEntries(told)).toEqual({ a: null, b: 1, c: null, d: null });

  // Nobody consumes e's camera: though it spoke, it sends nothing.
  const producers = new ProducerDirectory();
  producers.add(fakeProducer('cam-e'), 'e');
  const alone = new VideoSelection(producers, () => ['e'], 1, true, logger, 2);
  const layers: (number | null)[] = [];
  alone.on('layers', (e) => layers.push(e.maxSpatialLayer));
  alone.speaker('e');
  expect(layers.at(-1)).toBeNull();
});
