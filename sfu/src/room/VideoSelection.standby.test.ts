/**
 * Dynacast's standby cameras, with fake producers and consumers (the gating itself runs on a
 * real worker in VideoSelection.test.ts): a recent speaker held back by last-N keeps sending
 * its lowest layer while a viewer could switch to it, so the switch needs no publisher.
 */
import { EventEmitter } from 'node:events';
import { pino } from 'pino';
import { expect, it } from 'vitest';
import type { RoomConsumer } from './consumerAppData.js';
import { ProducerDirectory, type RoomProducer } from './ProducerDirectory.js';
import { VideoSelection } from './VideoSelection.js';

const logger = pino({ level: 'silent' });

function fakeProducer(id: string): RoomProducer {
  return { id, kind: 'video', paused: false, appData: { source: 'camera' } } as RoomProducer;
}

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
    resume: () => Promise.resolve(),
    pause: () => Promise.resolve(),
    requestKeyFrame: () => Promise.resolve(),
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
  selection.on('layers', (e) => told.set(e.peerId, e.maxSpatialLayer));
  for (const s of students) {
    const consumer = fakeConsumer(`viewer-${s}`, 'viewer', s);
    selection.track(consumer);
    selection.clientResumed(consumer);
  }
  return { selection, told };
}

it('keeps the lowest layer of the recent speakers last-N holds back, pauses the others', () => {
  const { selection, told } = room(2);
  // Nobody spoke: the viewer watches a (first camera), nobody is on standby.
  expect(Object.fromEntries(told)).toEqual({ a: 1, b: null, c: null, d: null });
  // d, then c, then b spoke (b last): the viewer watches b; c and d are the standby two.
  for (const s of ['d', 'c', 'b']) selection.speaker(s);
  expect(Object.fromEntries(told)).toEqual({ a: null, b: 1, c: 0, d: 0 });
  // a speaks: it is watched, b drops to standby and d (least recent) is paused at its source.
  selection.speaker('a');
  expect(Object.fromEntries(told)).toEqual({ a: 1, b: 0, c: 0, d: null });
});

it('pauses every unwatched camera with no standby, or when no viewer could switch to it', () => {
  const { selection, told } = room(0);
  for (const s of ['d', 'c', 'b']) selection.speaker(s);
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
