/**
 * The MP4 export shows the whiteboard: a class recorded for real (mediasoup worker, the
 * recorder's ffmpegs, Socket.IO and y-websocket clients) where the teacher's camera is blue,
 * the teacher puts the board on stage, draws a large red rectangle on it and takes it down;
 * exported through the API (the board drawn by tldraw in headless Chromium), the MP4's frames
 * are decoded to see the camera, the board and the speaker in a corner at known moments. Then
 * the same recording is exported where Chromium is missing: it completes without the board
 * and says why.
 */
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';
import type { Kysely } from 'kysely';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import type { CollabTables } from '@educloud/collab';
import type { ClassReplayResponse, TimelineEvent } from '@educloud/protocol';
import { startSyntheticProducer, type SyntheticProducer } from '@educloud/sfu';
import { LiveClient } from '../test-support/live-client.js';
import { startTestServer, type TestServer } from '../test-support/test-server.js';
import { classWithStudents } from '../test-support/class-with-students.js';
import { until } from '../test-support/until.js';
import {
  exportWhenReady,
  replayPath as replayPathOf,
  replayWhenReady,
  videoTracksStarted,
} from '../test-support/class-replay.js';
import { colourName, frameColour } from '../test-support/frame-colour.js';
import { signUp } from '../test-support/sign-up.js';
import { ClassExports } from './class-export.js';
import { BOARD_DRAWING_HOLD_MS } from './export-layout.js';

// The test server's default WEB_ROOT: the built web client.
const webRoot = fileURLToPath(new URL('../../../web/dist', import.meta.url));
let s: TestServer;
let teacher: string;
let classId: string;
const clients: LiveClient[] = [];
const feeds: SyntheticProducer[] = [];
const providers: WebsocketProvider[] = [];

// A tldraw 3 geo shape, as the web client's binding stores it in the board's Y.Map.
const bigRedRectangle = {
  id: 'shape:big',
  typeName: 'shape',
  type: 'geo',
  parentId: 'page:page',
  index: 'a1',
  x: 0,
  y: 0,
  rotation: 0,
  isLocked: false,
  opacity: 1,
  meta: {},
  props: {
    w: 1600,
    h: 900,
    geo: 'rectangle',
    color: 'red',
    labelColor: 'black',
    fill: 'fill',
    dash: 'draw',
    size: 'm',
    font: 'draw',
    richText: { type: 'doc', content: [{ type: 'paragraph' }] },
    align: 'middle',
    verticalAlign: 'middle',
    growY: 0,
    url: '',
    scale: 1,
  },
};

/** The average colour at `t` s: the centre of the 1280×720 picture, or the bottom-right corner
 * where the speaker is shown small. */
const colourAt = (file: string, t: number, region: 'centre' | 'corner') =>
  frameColour(file, t, region === 'centre' ? 'crop=400:240:440:240' : 'crop=200:100:1000:560');

beforeAll(async () => {
  s = await startTestServer({ MIN_FREE_DISK_BYTES: '0' });
  teacher = (await signUp(s, 'teacher@bx.test', 'teacher')).token;
  classId = await classWithStudents(s, teacher, 'Board', []);
}, 60_000);

afterAll(async () => {
  for (const p of providers) p.destroy();
  for (const c of clients) c.close();
  await Promise.all(feeds.map((f) => f.stop()));
  await s?.stop();
}, 60_000);

describe('MP4 export with the whiteboard', { timeout: 120_000 }, () => {
  let replayPath = '';
  let dir = '';
  let presented = 0;
  let drawn = 0;
  let takenDown = 0;

  it('shows the board while presented and drawn on, the camera otherwise, the speaker small', async () => {
    const t = new LiveClient(s.port, teacher);
    clients.push(t);
    await t.connected();
    const { peerId } = await t.ok('class:join', { classId });
    await t.ok('class:start', {});
    const room = s.sfu.classRooms(classId).main!;
    feeds.push(await startSyntheticProducer(room, { peerId, kind: 'video', colour: 'blue' }));
    const doc = new Y.Doc();
    const board = new WebsocketProvider(
      `ws://127.0.0.1:${s.port}/collab`,
      `class/${classId}/board`,
      doc,
      {
        WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
        disableBc: true,
        params: { token: teacher },
      },
    );
    providers.push(board);
    await until(async () => board.synced, 10_000, 'the board to sync');

    const { recordingId } = await t.ok('recording:start', {});
    dir = join(s.dataDir, 'recordings', recordingId!);
    const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
    await videoTracksStarted(dir);
    await wait(1500);
    // The empty board on stage, a large red rectangle drawn on it, the stage cleared: the board
    // stays while it is being drawn on, then the camera comes back.
    await t.ok('stage:present', { content: 'board' });
    await wait(2000);
    drawn = Date.now();
    doc.getMap('tldraw').set(bigRedRectangle.id, bigRedRectangle);
    await wait(1000);
    await t.ok('stage:present', { content: null });
    await wait(drawn + BOARD_DRAWING_HOLD_MS + 3000 - Date.now());
    await t.ok('recording:stop', {});

    replayPath = replayPathOf(classId, recordingId!);
    const replay = await replayWhenReady(s, replayPath, teacher);
    const stage = replay.timeline.filter(
      (e): e is Extract<TimelineEvent, { type: 'stage' }> => e.type === 'stage',
    );
    expect(stage.map((e) => e.content)).toEqual(['board', null]);
    const sec = (at: number) => (at - replay.manifest.startedAt) / 1000;
    [presented, takenDown] = stage.map((e) => sec(e.at)) as [number, number];
    // When the server logged the rectangle (the board's hold counts from there).
    const logged = await (s.db as Kysely<CollabTables>)
      .selectFrom('collab_updates')
      .select((eb) => eb.fn.max('created_at').as('at'))
      .where('doc_name', '=', `class/${classId}/board`)
      .executeTakeFirstOrThrow();
    expect(Number(logged.at)).toBeGreaterThanOrEqual(drawn);
    drawn = sec(Number(logged.at));

    const exp = await exportWhenReady(s, replayPath, teacher);
    expect(exp.warning).toBeNull();

    const mp4 = join(dir, 'export.mp4');
    const hold = BOARD_DRAWING_HOLD_MS / 1000;
    const shots = [
      { at: presented - 0.7, centre: 'blue' },
      // On stage, still empty (a picture per second of drawing: the rectangle shows by +1 s).
      { at: presented + 1, centre: 'white', corner: 'blue' },
      { at: drawn + 1.5, centre: 'red', corner: 'blue' },
      // Taken down, but drawn on moments ago.
      { at: takenDown + 2, centre: 'red', corner: 'blue' },
      // (Soon after: the recorder may lose a camera's last second or two when it stops.)
      { at: drawn + hold + 0.6, centre: 'blue' },
    ];
    const seen = [];
    for (const shot of shots) {
      const centre = colourName(await colourAt(mp4, shot.at, 'centre'));
      const corner = shot.corner ? colourName(await colourAt(mp4, shot.at, 'corner')) : undefined;
      seen.push({ at: shot.at, centre, ...(corner ? { corner } : {}) });
    }
    expect(seen).toEqual(shots);
  });

  it('completes without the board where Chromium is missing, logging and saying why', async () => {
    expect(replayPath).not.toBe('');
    const logged: string[] = [];
    const logger = pino(
      new Writable({
        write(chunk: Buffer, _enc, done) {
          logged.push(chunk.toString());
          done();
        },
      }),
    );
    const exports = new ClassExports({
      logger,
      board: { db: s.db, webRoot, chromiumPath: '/nonexistent/chromium' },
    });
    await rename(join(dir, 'export.mp4'), join(dir, 'export-with-board.mp4'));
    await exports.start('again', dir);
    const status = await exports.status('again', dir);
    expect(status.status).toBe('ready');
    expect(status.warning).toBe(
      'The whiteboard is not in the export: Chromium was not found at /nonexistent/chromium',
    );
    expect(logged.some((l) => l.includes('the export goes without the whiteboard'))).toBe(true);
    // The API says so too (the warning is kept beside the export).
    const r = await s.call('GET', replayPath, { token: teacher });
    expect((r.body as ClassReplayResponse).export.warning).toBe(status.warning);
    const centre = colourName(await colourAt(join(dir, 'export.mp4'), drawn + 1.5, 'centre'));
    expect(centre).toBe('blue');
  });

  it("follows the presenter's page: on the timeline once per page turned, and in the export", async () => {
    const t = clients[0]!;
    // A second, empty page beside the one with the red rectangle.
    const doc = providers[0]!.doc;
    doc.getMap('tldraw').set('page:two', {
      id: 'page:two',
      typeName: 'page',
      name: 'Two',
      index: 'a2',
      meta: {},
    });
    await t.ok('stage:present', { content: 'board' });
    const view = (pageId: string, x = 0) =>
      t.ok('stage:view', { pageId, x, y: 0, w: 1600, h: 900 });
    await view('page:page');
    // Recording starts on the red page: the timeline opens with it.
    const { recordingId } = await t.ok('recording:start', {});
    const dir2 = join(s.dataDir, 'recordings', recordingId!);
    const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
    await videoTracksStarted(dir2);
    await wait(1500);
    await view('page:two');
    // Panning on the same page is no page turned.
    await view('page:two', 300);
    await wait(3000);
    await view('page:page');
    await wait(3000);
    await t.ok('recording:stop', {});

    const path = replayPathOf(classId, recordingId!);
    const replay = await replayWhenReady(s, path, teacher);
    const pages = replay.timeline.filter(
      (e): e is Extract<TimelineEvent, { type: 'page' }> => e.type === 'page',
    );
    expect(pages.map((e) => e.pageId)).toEqual(['page:page', 'page:two', 'page:page']);
    const sec = (at: number) => (at - replay.manifest.startedAt) / 1000;
    expect(sec(pages[0]!.at)).toBe(0);
    const [, turned, back] = pages.map((e) => sec(e.at)) as [number, number, number];

    await exportWhenReady(s, path, teacher);
    const mp4 = join(dir2, 'export.mp4');
    // (A page turned shows from the next whole second of the recording.)
    const shots = [
      { at: turned - 0.7, centre: 'red' },
      { at: turned + 1.5, centre: 'white' },
      { at: back + 1.5, centre: 'red' },
    ];
    const seen = [];
    for (const shot of shots) {
      seen.push({ at: shot.at, centre: colourName(await colourAt(mp4, shot.at, 'centre')) });
    }
    expect(seen).toEqual(shots);
  });
});
