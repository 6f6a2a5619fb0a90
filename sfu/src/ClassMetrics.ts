import { Counter, Gauge, type Registry } from 'prom-client';
import { ClassCpuEstimate } from './ClassCpuEstimate.js';
import type { ClassRooms } from './ClassRooms.js';
import type { PoolWorker } from './PoolWorker.js';

/**
 * Per live class (all its rooms: main and breakouts): consumers, camera consumers flowing or
 * held back by last-N, bitrate, routers, peers and consumers by worker (a room spread over
 * workers), and an estimate of the workers' CPU spent on it. Read when scraped; one stats
 * request per transport and one resource-usage request per worker.
 * Returns a function that removes them again.
 */
export function registerClassMetrics(
  registry: Registry,
  classes: () => Iterable<ClassRooms>,
  workers: () => readonly PoolWorker[],
): () => void {
  // One walk over the classes per scrape, shared by the gauges.
  let pending:
    | Promise<
        {
          classId: string;
          consumers: number;
          flowing: number;
          held: number;
          bitsIn: number;
          bitsOut: number;
          routers: number;
          byWorker: Map<number, { peers: number; consumers: number }>;
        }[]
      >
    | undefined;
  const read = () => {
    pending ??= Promise.all(
      [...classes()].map(async (c) => {
        const row = {
          classId: c.classId,
          consumers: 0,
          flowing: 0,
          held: 0,
          bitsIn: 0,
          bitsOut: 0,
          routers: 0,
          byWorker: new Map<number, { peers: number; consumers: number }>(),
        };
        for (const room of c.rooms) {
          for (const part of room.placement) {
            row.routers++;
            const w = row.byWorker.get(part.workerIndex) ?? { peers: 0, consumers: 0 };
            w.peers += part.peerIds.length;
            w.consumers += part.consumers;
            row.byWorker.set(part.workerIndex, w);
          }
          const usage = await room.usage();
          row.consumers += usage.consumers;
          row.bitsIn += usage.bitsIn;
          row.bitsOut += usage.bitsOut;
          row.flowing += room.videoCounts.flowing;
          row.held += room.videoCounts.held;
        }
        return row;
      }),
    ).finally(() => setTimeout(() => (pending = undefined), 0));
    return pending;
  };
  new Gauge({
    name: 'educloud_sfu_class_consumers',
    help: 'Consumers in a live class (all its rooms)',
    labelNames: ['class'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const r of await read()) this.set({ class: r.classId }, r.consumers);
    },
  });
  new Gauge({
    name: 'educloud_sfu_class_video_consumers',
    help: 'Camera consumers of a live class: flowing, or held back by last-N',
    labelNames: ['class', 'state'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const r of await read()) {
        this.set({ class: r.classId, state: 'flowing' }, r.flowing);
        this.set({ class: r.classId, state: 'held' }, r.held);
      }
    },
  });
  new Gauge({
    name: 'educloud_sfu_class_bitrate_bits',
    help: 'Media bitrate of a live class, bits per second, by direction (in: from clients)',
    labelNames: ['class', 'direction'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const r of await read()) {
        this.set({ class: r.classId, direction: 'in' }, r.bitsIn);
        this.set({ class: r.classId, direction: 'out' }, r.bitsOut);
      }
    },
  });
  new Gauge({
    name: 'educloud_sfu_class_routers',
    help: 'Routers of a live class (all its rooms; a room spread over workers has several)',
    labelNames: ['class'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const r of await read()) this.set({ class: r.classId }, r.routers);
    },
  });
  new Gauge({
    name: 'educloud_sfu_class_worker_peers',
    help: 'Participants of a live class by the worker their router is on',
    labelNames: ['class', 'worker'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const r of await read()) {
        for (const [worker, w] of r.byWorker) this.set({ class: r.classId, worker }, w.peers);
      }
    },
  });
  new Gauge({
    name: 'educloud_sfu_class_worker_consumers',
    help: 'Consumers of a live class by the worker they are on',
    labelNames: ['class', 'worker'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const r of await read()) {
        for (const [worker, w] of r.byWorker) {
          this.set({ class: r.classId, worker }, w.consumers);
        }
      }
    },
  });
  const cpu = new ClassCpuEstimate();
  new Counter({
    name: 'educloud_sfu_class_cpu_seconds_total',
    help:
      "Estimated CPU time of the mediasoup workers spent on a live class: each worker's CPU " +
      'between scrapes, shared among the classes by their part of its consumers',
    labelNames: ['class'],
    registers: [registry],
    async collect() {
      const [rows, usage] = await Promise.all([
        read(),
        Promise.all(
          workers().map(async (w) => {
            const ru = await w.worker.getResourceUsage().catch(() => undefined);
            const cpuSeconds = ru ? (ru.ru_utime + ru.ru_stime) / 1000 : NaN;
            return { index: w.index, pid: w.pid, cpuSeconds };
          }),
        ),
      ]);
      this.reset();
      for (const [classId, seconds] of cpu.sample(usage, rows)) {
        this.inc({ class: classId }, seconds);
      }
    },
  });
  return () => {
    for (const name of [
      'educloud_sfu_class_consumers',
      'educloud_sfu_class_video_consumers',
      'educloud_sfu_class_bitrate_bits',
      'educloud_sfu_class_routers',
      'educloud_sfu_class_worker_peers',
      'educloud_sfu_class_worker_consumers',
      'educloud_sfu_class_cpu_seconds_total',
    ]) {
      registry.removeSingleMetric(name);
    }
  };
}
