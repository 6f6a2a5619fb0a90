/**
 * The two stores a live class's state survives a restart in (the database on one node, Redis
 * for several) keep the same facts: a class is live until it ends, members are remembered as
 * last saved (hand and its place in the queue included), and ending a class forgets them.
 * A second instance over the same store stands for the restarted process.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import type { PeerInfo } from '@educloud/protocol';
import {
  DatabaseLiveState,
  RedisLiveState,
  signalingMigrations,
  type LiveState,
  type SignalingTables,
} from '@educloud/signaling';
import { startRedis } from '../../test-support/redis-server.js';
import { testPostgresDatabase } from '../../test-support/test-database.js';
import { openDatabase } from './database.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

const student: PeerInfo = {
  peerId: 'peer-1',
  userId: 'user-1',
  name: 'Ada',
  role: 'student',
  handRaised: true,
  handRaisedAt: 1_700_000_000_123,
  forcedMute: false,
};

async function withDatabase(): Promise<{ classId: string; open: () => LiveState }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'educloud-live-state-'));
  const pg = await testPostgresDatabase();
  const db = (await openDatabase(
    { dataDir: dir, databaseUrl: pg?.url },
    signalingMigrations,
  )) as Kysely<SignalingTables>;
  cleanups.push(
    () => rm(dir, { recursive: true, force: true }),
    async () => pg?.drop(),
    () => db.destroy(),
  );
  const now = new Date().toISOString();
  await db
    .insertInto('users')
    .values({
      id: 'u',
      email: null,
      password_hash: null,
      display_name: 't',
      role: 'teacher',
      created_at: now,
    })
    .execute();
  await db
    .insertInto('classes')
    .values({
      id: 'class-1',
      title: 'c',
      description: '',
      scheduled_start: null,
      scheduled_end: null,
      created_by: 'u',
      invite_code: null,
      stream_key_salt: 's',
      created_at: now,
      updated_at: now,
    })
    .execute();
  return { classId: 'class-1', open: () => new DatabaseLiveState(db) };
}

async function withRedis(): Promise<{ classId: string; open: () => LiveState }> {
  const server = await startRedis();
  cleanups.push(() => server.stop());
  return {
    classId: 'class-1',
    open: () => {
      const redis = new Redis(server.url);
      cleanups.push(() => redis.quit());
      return new RedisLiveState(redis);
    },
  };
}

describe.each([
  ['the database', withDatabase],
  ['Redis', withRedis],
])('live state in %s', (_name, store) => {
  it('keeps what a restarted process needs, and forgets it when the class ends', async () => {
    const { classId, open } = await store();
    const before = open();
    expect(await before.isLive(classId)).toBe(false);
    await before.setLive(classId, true);
    await before.setLive(classId, true);
    await before.saveMember(classId, { ...student, handRaised: false, handRaisedAt: null });
    await before.saveMember(classId, student);
    await before.saveMember(classId, { ...student, peerId: 'peer-2', userId: 'user-2' });
    await before.removeMember(classId, 'peer-2');

    const after = open();
    expect(await after.isLive(classId)).toBe(true);
    expect(await after.member(classId, 'peer-1')).toEqual(student);
    expect(await after.member(classId, 'peer-2')).toBeUndefined();
    expect(await after.member('another-class', 'peer-1')).toBeUndefined();

    await after.setLive(classId, false);
    expect(await open().isLive(classId)).toBe(false);
    expect(await open().member(classId, 'peer-1')).toBeUndefined();
  });
});

describe('live state in Redis over several nodes', () => {
  it('leaves no member listed under any node once the class ends or the member is removed', async () => {
    const server = await startRedis();
    cleanups.push(() => server.stop());
    const redis = new Redis(server.url);
    cleanups.push(() => redis.quit());
    const onNodeA = new RedisLiveState(redis, 'educloud:live:', 'node-a');
    const onNodeB = new RedisLiveState(redis, 'educloud:live:', 'node-b');
    const listed = async (nodeId: string) =>
      (await redis.smembers(`educloud:live:node-members:${nodeId}`)).sort();

    await onNodeA.setLive('class-1', true);
    await onNodeA.saveMember('class-1', student);
    await onNodeB.saveMember('class-1', { ...student, peerId: 'peer-2', userId: 'user-2' });
    await onNodeB.saveMember('class-1', { ...student, peerId: 'peer-3', userId: 'user-3' });
    await onNodeB.saveMember('class-2', { ...student, peerId: 'peer-9', userId: 'user-9' });
    expect(await listed('node-b')).toEqual(['class-1 peer-2', 'class-1 peer-3', 'class-2 peer-9']);

    // A teacher on node A removes a member whose socket is on node B.
    await onNodeA.removeMember('class-1', 'peer-2');
    expect(await listed('node-b')).toEqual(['class-1 peer-3', 'class-2 peer-9']);

    // Node A ends the class: node B's entries for it go too, another class's stay.
    await onNodeA.setLive('class-1', false);
    expect(await listed('node-a')).toEqual([]);
    expect(await listed('node-b')).toEqual(['class-2 peer-9']);
  });
});
