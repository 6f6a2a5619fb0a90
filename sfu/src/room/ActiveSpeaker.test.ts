/**
 * The active speaker on a real mediasoup worker: microphones are RTP packets sent from here with
 * the audio level header extension (what the speaker observer listens to). A muted microphone
 * is never the active speaker: muting the dominant one hands the place to whoever is still on,
 * and the one microphone left on is named without waiting on the observer.
 */
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterEach, expect, it } from 'vitest';
import { start, type Peer, type Room, type Sfu } from '../index.js';
import { speechLevel, startLevelMicrophone, type LevelMicrophone } from './level-microphone.js';

const logger = pino({ level: process.env.LOG_LEVEL ?? 'silent' });
let sfu: Sfu;
let room: Room;
const mics: LevelMicrophone[] = [];

async function open(activeSpeakerIntervalMs: number) {
  sfu = await start({
    logger,
    registry: new Registry(),
    numWorkers: 1,
    listenIp: '127.0.0.1',
    rtcPort: 0,
    activeSpeakerIntervalMs,
  });
  room = await sfu.createRoom('class-1');
}

afterEach(async () => {
  for (const m of mics.splice(0)) m.stop();
  await sfu?.close();
});

async function until(what: string, ok: () => boolean, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A microphone with speech-like levels while `speaking()`, silence otherwise. */
async function mic(peer: Peer, ssrc: number, speaking: () => boolean): Promise<string> {
  const m = await startLevelMicrophone(peer, ssrc, () => (speaking() ? speechLevel(10) : 127));
  mics.push(m);
  return m.producerId;
}

it('hands the active speaker on when the dominant microphone is muted', async () => {
  await open(100);
  const speakers: string[] = [];
  room.on('activeSpeaker', (e) => speakers.push(e.peerId));
  const alice = room.join('alice');
  const bob = room.join('bob');
  // Alice speaks; bob's microphone is on but silent.
  const aliceMic = await mic(alice, 1111, () => true);
  await mic(bob, 2222, () => false);
  await until('alice is the active speaker', () => speakers.at(-1) === 'alice');
  // Alice mutes: a silent microphone cannot outdo her, but a muted one is out of the running.
  await alice.pauseProducer(aliceMic);
  await until('bob is the active speaker', () => speakers.at(-1) === 'bob');
  // Alice unmutes and speaks: she takes the place back from silent bob.
  await alice.resumeProducer(aliceMic);
  await until('alice is the active speaker again', () => speakers.at(-1) === 'alice');
  expect(speakers.slice(-3)).toEqual(['alice', 'bob', 'alice']);
});

it('names the one microphone left on at once, without waiting on the observer', async () => {
  // The observer is paused as soon as it is made: it names nobody (a paused observer's
  // interval never runs), so every name here comes from the mutes.
  const pauseObservers = (worker: types.Worker) =>
    worker.observer.on('newrouter', (router) =>
      router.observer.on('newrtpobserver', (o) => void o.pause()),
    );
  mediasoup.observer.on('newworker', pauseObservers);
  try {
    await open(100);
  } finally {
    mediasoup.observer.off('newworker', pauseObservers);
  }
  const speakers: string[] = [];
  room.on('activeSpeaker', (e) => speakers.push(e.peerId));
  const alice = room.join('alice');
  const bob = room.join('bob');
  // Alice speaks, alone on.
  const aliceMic = await mic(alice, 1111, () => true);
  await until('alice, alone on, is the active speaker', () => speakers.at(-1) === 'alice');
  // Bob's microphone on too: who speaks is the observer's to say (here: nobody says).
  const bobMic = await mic(bob, 2222, () => true);
  await new Promise((r) => setTimeout(r, 500));
  expect(speakers).toEqual(['alice']);
  // A hand-over: alice mutes, bob speaks on; then bob mutes as alice unmutes.
  await alice.pauseProducer(aliceMic);
  await until('bob is the active speaker', () => speakers.at(-1) === 'bob');
  await Promise.all([alice.resumeProducer(aliceMic), bob.pauseProducer(bobMic)]);
  await until('alice is the active speaker again', () => speakers.at(-1) === 'alice');
  // Each named once.
  expect(speakers).toEqual(['alice', 'bob', 'alice']);
});
