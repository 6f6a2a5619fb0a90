/**
 * An OBS-like publisher (ffmpeg, x264 + AAC over RTMP) against the real server: HLS for members
 * with signed links, the WebRTC bridge into the live room, and the recordings library.
 */
import type { ChildProcess } from 'node:child_process';
import { freePort } from '../../../test-support/free-port.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveClient } from '../test-support/live-client.js';
import { publishLikeObs, type ObsPublisher } from '../test-support/obs-publish.js';
import { startTestServer, type TestServer } from '../test-support/test-server.js';
import { until } from '../test-support/until.js';
import { HlsGrants } from './hls-grants.js';
import { signUp } from '../test-support/sign-up.js';

const SECRET = 'broadcast-test-secret-0123456789abcdefghij';
let s: TestServer;
let teacher: string;
let student: string;
let outsider: string;
let classId: string;
let serverUrl: string;
let streamKey: string;
const children: ChildProcess[] = [];
const clients: LiveClient[] = [];

/** Publishes as OBS would; killed at the end if still running. */
function publish(url: string, seconds?: number): ObsPublisher {
  const p = publishLikeObs(url, seconds);
  children.push(p.child);
  return p;
}

async function account(email: string, role: 'teacher' | 'student') {
  return (await signUp(s, email, role)).token;
}

const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(`http://127.0.0.1:${s.port}${path}`, { headers });

beforeAll(async () => {
  s = await startTestServer({
    RTMP_ENABLED: 'true',
    RTMP_PORT: String(await freePort()),
    RTMP_RECONNECT_GRACE_MS: '1000',
    SECRET,
  });
  teacher = await account('teacher@b.test', 'teacher');
  student = await account('student@b.test', 'student');
  outsider = await account('outsider@b.test', 'student');
  const c = await s.call('POST', '/api/classes', { token: teacher, body: { title: 'OBS' } });
  classId = c.body.class.id;
  await s.call('POST', `/api/invites/${c.body.class.inviteUrl.split('/join/')[1]}/join`, {
    token: student,
  });
  const k = await s.call('GET', `/api/classes/${classId}/stream-key`, { token: teacher });
  serverUrl = k.body.serverUrl.replace(/^rtmp:\/\/[^/]+/, `rtmp://127.0.0.1:${s.ingest!.port}`);
  streamKey = k.body.streamKey;
}, 60_000);

afterAll(async () => {
  for (const c of clients) c.close();
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await s?.stop();
}, 60_000);

it('publishes nothing with a wrong stream key', async () => {
  const p = publish(`${serverUrl}/not-the-key`, 5);
  const code = await p.exitWithin(10_000);
  if (code === 'still running') p.child.kill('SIGKILL');
  // Refused means the server dropped ffmpeg: it failed on its own (no kill of ours), and not
  // by finishing its 5 s of media as it would on an accepting server.
  expect(code).toEqual(expect.any(Number));
  expect(code).not.toBe(0);
  const st = await s.call('GET', `/api/classes/${classId}/broadcast`, { token: student });
  expect(st.body).toMatchObject({ live: false, recordingId: null, hlsUrl: null });
  const list = await s.call('GET', `/api/classes/${classId}/recordings`, { token: teacher });
  expect(list.body.recordings).toEqual([]);
});

describe('a live broadcast', () => {
  let recordingId: string;
  let hlsUrl: string;
  let publisher: ReturnType<typeof publish>;
  let watcher: LiveClient;
  const bridgePeers = new Set<string>();

  beforeAll(async () => {
    watcher = new LiveClient(s.port, student);
    clients.push(watcher);
    await watcher.connected();
    await watcher.ok('class:join', { classId });
    publisher = publish(`${serverUrl}/${streamKey}`);
  });

  it('tells members over Socket.IO that the broadcast is live', async () => {
    const status = await watcher.next<{ live: boolean; recordingId: string }>(
      'broadcast:status',
      (p) => p.live,
      20_000,
    );
    recordingId = status.recordingId;
    expect(recordingId).toBeTruthy();
  });

  it('bridges the broadcast into the live room as WebRTC producers', async () => {
    const seen = new Map<string, { peerId: string; producerId: string }>();
    await watcher.next<{ source: string; kind: string; peerId: string; producerId: string }>(
      'producer:new',
      (p) => {
        if (p.source === 'ingest') {
          seen.set(p.kind, p);
          bridgePeers.add(p.peerId);
        }
        return seen.size === 2;
      },
      20_000,
    );
    expect([...seen.keys()].sort()).toEqual(['audio', 'video']);
    // ffmpeg's RTP reaches both producers (payload types and SSRCs match what they expect).
    for (const [kind, p] of seen) {
      await until(
        async () => {
          const stats = await s.sfu.getRoom(classId)?.peer(p.peerId).getProducerStats(p.producerId);
          return (stats?.[0]?.packetCount ?? 0) > 20;
        },
        20_000,
        `RTP on the ${kind} producer`,
      );
    }
  });

  it('gives members a signed playlist, segments included', async () => {
    const st = await s.call('GET', `/api/classes/${classId}/broadcast`, { token: student });
    expect(st.status).toBe(200);
    expect(st.body).toMatchObject({ live: true, recordingId });
    hlsUrl = st.body.hlsUrl;
    expect(hlsUrl).toMatch(new RegExp(`^/hls/${recordingId}/[^/]+/master\\.m3u8$`));
    const master = await get(hlsUrl);
    expect(master.status).toBe(200);
    expect(master.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
    expect(await master.text()).toContain('index.m3u8');
    const media = hlsUrl.replace('master.m3u8', 'index.m3u8');
    const playlist = await until(
      async () => {
        const r = await get(media);
        const text = r.status === 200 ? await r.text() : '';
        return /seg_\d+\.ts/.test(text) ? { r, text } : null;
      },
      20_000,
      'a first segment',
    );
    expect(playlist.r.headers.get('cache-control')).toBe('no-cache');
    const seg = /(seg_\d+\.ts)/.exec(playlist.text)![1]!;
    const segRes = await get(media.replace('index.m3u8', seg));
    expect(segRes.status).toBe(200);
    expect(segRes.headers.get('content-type')).toBe('video/mp2t');
    expect(segRes.headers.get('cache-control')).toContain('immutable');
    expect((await segRes.arrayBuffer()).byteLength).toBeGreaterThan(1000);
  });

  it('refuses non-members, forged, expired and foreign grants, and stays inside the folder', async () => {
    const st = await s.call('GET', `/api/classes/${classId}/broadcast`, { token: outsider });
    expect(st.status).toBe(403);
    const [, , , token] = hlsUrl.split('/') as string[];
    const forged = `${token!.slice(0, -2)}${token!.endsWith('AA') ? 'BB' : 'AA'}`;
    expect((await get(hlsUrl.replace(token!, forged))).status).toBe(403);
    const expired = new HlsGrants(SECRET, 60, () => Date.now() - 3_600_000).sign(recordingId);
    expect((await get(hlsUrl.replace(token!, expired.token))).status).toBe(403);
    const wrongKey = new HlsGrants('z'.repeat(40), 60).sign(recordingId);
    expect((await get(hlsUrl.replace(token!, wrongKey.token))).status).toBe(403);
    // Not public yet.
    expect((await get(hlsUrl.replace(token!, 'public'))).status).toBe(403);
    for (const bad of ['..%2f..%2fsecret.key', '../../secret.key', 'packager.pid', 'nope.ts']) {
      const r = await get(hlsUrl.replace('master.m3u8', bad));
      expect([400, 404], bad).toContain(r.status);
    }
  });

  it('refuses to delete the recording while live', async () => {
    const r = await s.call('DELETE', `/api/classes/${classId}/recordings/${recordingId}`, {
      token: teacher,
    });
    expect(r.status).toBe(409);
  });

  it('ends when the publisher dies and leaves a ready recording', async () => {
    expect(bridgePeers.size).toBe(1);
    const beforeKill = watcher.mark();
    publisher.child.kill('SIGKILL');
    await watcher.next<{ live: boolean }>('broadcast:status', (p) => !p.live, 20_000);
    const rec = await until(
      async () => {
        const r = await s.call('GET', `/api/classes/${classId}/recordings`, { token: student });
        const one = r.body.recordings?.[0];
        return one?.status === 'ready' ? one : null;
      },
      30_000,
      'the recording to be ready',
    );
    expect(rec).toMatchObject({ id: recordingId, isPublic: false });
    expect(rec.durationMs).toBeGreaterThan(1000);
    expect(rec.sizeBytes).toBeGreaterThan(0);
    // The bridge's participant (not anyone else, not earlier) left with the broadcast.
    const left = await watcher.nextAfter<{ peerId: string }>(
      beforeKill,
      'peer:left',
      (p) => bridgePeers.has(p.peerId),
      20_000,
    );
    expect(left.peerId).toBe([...bridgePeers][0]);
  });
});

describe('the recordings library', () => {
  let rid: string;
  const path = () => `/api/classes/${classId}/recordings/${rid}`;

  beforeAll(async () => {
    const r = await s.call('GET', `/api/classes/${classId}/recordings`, { token: teacher });
    rid = r.body.recordings[0].id;
  });

  it('plays back and downloads with signed links', async () => {
    const r = await s.call('GET', `${path()}/playback`, { token: student });
    expect(r.status).toBe(200);
    const vod = await get(r.body.hlsUrl.replace('master.m3u8', 'index.m3u8'));
    expect(await vod.text()).toContain('#EXT-X-ENDLIST');
    const mp4 = await get(r.body.mp4Url);
    expect(mp4.status).toBe(200);
    expect(mp4.headers.get('content-type')).toBe('video/mp4');
    expect(mp4.headers.get('content-disposition')).toMatch(/^attachment; filename=".+\.mp4"$/);
    const part = await get(r.body.mp4Url, { range: 'bytes=0-99' });
    expect(part.status).toBe(206);
    expect((await part.arrayBuffer()).byteLength).toBe(100);
    const outsiderView = await s.call('GET', `${path()}/playback`, { token: outsider });
    expect(outsiderView.status).toBe(403);
  });

  it('lets teachers rename and publish, not students', async () => {
    const no = await s.call('PATCH', path(), { token: student, body: { title: 'Mine' } });
    expect(no.status).toBe(403);
    const bad = await s.call('PATCH', path(), { token: teacher, body: {} });
    expect(bad.status).toBe(400);
    const ok = await s.call('PATCH', path(), {
      token: teacher,
      body: { title: ' Lesson 1 ', isPublic: true },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.recording).toMatchObject({ title: 'Lesson 1', isPublic: true });
    const pub = await s.call('GET', `/api/recordings/${rid}/public`);
    expect(pub.status).toBe(200);
    expect(pub.body.hlsUrl).toBe(`/hls/${rid}/public/master.m3u8`);
    const anyone = await get(pub.body.hlsUrl);
    expect(anyone.status).toBe(200);
    expect(anyone.headers.get('cache-control')).toMatch(/^public/);
    await s.call('PATCH', path(), { token: teacher, body: { isPublic: false } });
    expect((await get(pub.body.hlsUrl)).status).toBe(403);
    expect((await s.call('GET', `/api/recordings/${rid}/public`)).status).toBe(404);
  });

  it('lets teachers delete it, files included', async () => {
    const play = await s.call('GET', `${path()}/playback`, { token: teacher });
    expect((await s.call('DELETE', path(), { token: student })).status).toBe(403);
    expect((await s.call('DELETE', path(), { token: teacher })).status).toBe(204);
    expect((await s.call('DELETE', path(), { token: teacher })).status).toBe(404);
    const list = await s.call('GET', `/api/classes/${classId}/recordings`, { token: teacher });
    expect(list.body.recordings).toEqual([]);
    expect((await get(play.body.hlsUrl)).status).toBe(404);
  });
});
