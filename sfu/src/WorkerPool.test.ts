import { readdirSync, readFileSync } from 'node:fs';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { start, type Sfu, type WorkerDiedEvent, type WorkerReplacedEvent } from './index.js';

const logger = pino({ level: process.env.LOG_LEVEL ?? 'silent' });
let sfu: Sfu | undefined;

afterEach(async () => {
  await sfu?.close();
  sfu = undefined;
});

function startSfu(numWorkers: number): Promise<Sfu> {
  return start({
    logger,
    registry: new Registry(),
    numWorkers,
    listenIp: '127.0.0.1',
    rtcPort: 0,
    workerLogLevel: 'warn',
  });
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** mediasoup-worker processes whose parent is this test process. */
function childWorkers(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // A reaped-but-unwaited zombie still counts as left behind.
    if (comm.startsWith('mediasoup-work') && Number(fields[1]) === process.pid) {
      pids.push(Number(entry));
    }
  }
  return pids;
}

function once<T>(
  emitter: { once(event: string, listener: (value: T) => void): unknown },
  event: string,
) {
  return new Promise<T>((resolve) => emitter.once(event, resolve));
}

describe('WorkerPool', () => {
  it('starts a worker that reports its version and ports', async () => {
    const registry = new Registry();
    // The worker process announces its own version in its first log line (tag "info").
    const lines: { msg: string }[] = [];
    const capture = pino(
      { level: 'debug' },
      { write: (line: string) => lines.push(JSON.parse(line)) },
    );
    sfu = await start({
      logger: capture,
      registry,
      numWorkers: 1,
      listenIp: '127.0.0.1',
      rtcPort: 0,
      workerLogLevel: 'debug',
      workerLogTags: ['info'],
    });
    const [worker] = sfu.pool.workers;
    expect(worker).toBeDefined();
    const announced = lines
      .map((l) =>
        /^\[pid:(\d+)\] .*starting mediasoup-worker process \[version:([^\]]+)\]/.exec(l.msg),
      )
      .find((m) => m !== null);
    expect(announced, 'the worker announced its version').toBeDefined();
    expect(Number(announced![1])).toBe(worker!.pid);
    expect(announced![2]).toBe(sfu.pool.mediasoupVersion);
    expect(sfu.pool.mediasoupVersion).toMatch(/^3\.19\./);
    expect(isRunning(worker!.pid)).toBe(true);
    const dump = await worker!.worker.dump();
    expect(dump.pid).toBe(worker!.pid);
    expect(worker!.address.ip).toBe('127.0.0.1');
    expect(worker!.address.udpPort).toBeGreaterThan(0);
    expect(worker!.address.tcpPort).toBeGreaterThan(0);
    const usage = await worker!.worker.getResourceUsage();
    expect(usage.ru_maxrss).toBeGreaterThan(0);

    const metrics = await registry.metrics();
    expect(metrics).toMatch(/^educloud_sfu_workers 1$/m);
    expect(metrics).toMatch(/^educloud_sfu_worker_max_rss_bytes\{worker="0"\} \d+/m);
    expect(metrics).toMatch(/^educloud_sfu_worker_cpu_seconds\{worker="0"\} [\d.]+/m);
  });

  it('spreads rooms over the least loaded workers', async () => {
    sfu = await startSfu(2);
    const a = await sfu.createRoom('a');
    const b = await sfu.createRoom('b');
    expect(new Set([a.workerIndex, b.workerIndex]).size).toBe(2);
    await expect(sfu.createRoom('a')).rejects.toMatchObject({ code: 'conflict' });
    const [x, y] = await Promise.all([
      sfu.classRooms('c').openMain(),
      sfu.classRooms('c').openMain(),
    ]);
    expect(x).toBe(y);
  });

  it('replaces a killed worker and reports the rooms it held', async () => {
    sfu = await startSfu(2);
    const lost = await sfu.createRoom('lost');
    const kept = await sfu.createRoom('kept');
    expect(lost.workerIndex).not.toBe(kept.workerIndex);
    const deadPid = lost.workerPid;

    const died = once<WorkerDiedEvent>(sfu.pool, 'workerDied');
    const replaced = once<WorkerReplacedEvent>(sfu.pool, 'workerReplaced');
    const roomClosed = once<{ reason: string }>(lost, 'close');
    process.kill(deadPid, 'SIGKILL');

    const event = await died;
    expect(event.pid).toBe(deadPid);
    expect(event.index).toBe(lost.workerIndex);
    expect(event.roomIds).toEqual(['lost']);
    expect((await roomClosed).reason).toBe('workerDied');
    expect(lost.isClosed).toBe(true);
    expect(sfu.getRoom('lost')).toBeUndefined();
    expect(kept.isClosed).toBe(false);

    const replacement = await replaced;
    expect(replacement.index).toBe(event.index);
    expect(replacement.pid).not.toBe(deadPid);
    expect(sfu.pool.workers).toHaveLength(2);
    expect(sfu.pool.deaths).toBe(1);

    // The owner rebuilds the room; clients reconnect to it.
    const rebuilt = await sfu.classRooms('lost').openMain();
    expect(rebuilt).not.toBe(lost);
    expect(rebuilt.isClosed).toBe(false);
  });

  it('close() leaves no worker process behind', async () => {
    sfu = await startSfu(2);
    const room = await sfu.createRoom('r');
    await room.join('p').createWebRtcTransport();
    const pids = sfu.pool.workers.map((w) => w.pid);
    expect(pids).toHaveLength(2);
    expect(childWorkers().sort()).toEqual([...pids].sort());

    await sfu.close();
    sfu = undefined;
    expect(room.isClosed).toBe(true);
    for (const pid of pids) expect(isRunning(pid)).toBe(false);
    expect(childWorkers()).toEqual([]);
  });
});
