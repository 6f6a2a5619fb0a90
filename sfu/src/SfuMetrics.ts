import { Counter, Gauge, type Registry } from 'prom-client';
import type { WorkerCounts } from './PoolWorker.js';
import type { WorkerPool } from './WorkerPool.js';

const countGauges: { key: keyof WorkerCounts; name: string; help: string }[] = [
  { key: 'routers', name: 'educloud_sfu_routers', help: 'Routers (one per live room) per worker' },
  { key: 'transports', name: 'educloud_sfu_transports', help: 'Open transports per worker' },
  { key: 'producers', name: 'educloud_sfu_producers', help: 'Producers per worker' },
  { key: 'consumers', name: 'educloud_sfu_consumers', help: 'Consumers per worker' },
];

/**
 * Registers the sfu's metrics in the injected registry. Values are read when scraped, so an
 * idle server costs nothing; resource usage is one request per worker per scrape.
 * Returns a function that removes them again (a later start() may reuse the registry).
 */
export function registerSfuMetrics(registry: Registry, pool: WorkerPool): () => void {
  const names: string[] = [];
  const track = <T>(name: string, metric: T): T => {
    names.push(name);
    return metric;
  };

  track(
    'educloud_sfu_workers',
    new Gauge({
      name: 'educloud_sfu_workers',
      help: 'mediasoup worker processes running',
      registers: [registry],
      collect() {
        this.set(pool.workers.length);
      },
    }),
  );

  let deathsSeen = 0;
  track(
    'educloud_sfu_worker_deaths_total',
    new Counter({
      name: 'educloud_sfu_worker_deaths_total',
      help: 'mediasoup workers that died and were replaced',
      registers: [registry],
      collect() {
        this.inc(pool.deaths - deathsSeen);
        deathsSeen = pool.deaths;
      },
    }),
  );

  for (const { key, name, help } of countGauges) {
    track(
      name,
      new Gauge({
        name,
        help,
        labelNames: ['worker'],
        registers: [registry],
        collect() {
          this.reset();
          for (const worker of pool.workers) this.set({ worker: worker.index }, worker.counts[key]);
        },
      }),
    );
  }

  // One stats request per open transport and scrape: cheap next to forwarding media, and
  // nothing at all while no class is live.
  track(
    'educloud_sfu_bitrate_bits',
    new Gauge({
      name: 'educloud_sfu_bitrate_bits',
      help: 'Media bitrate through the workers, bits per second, by direction (in: from clients)',
      labelNames: ['worker', 'direction'],
      registers: [registry],
      async collect() {
        this.reset();
        await Promise.all(
          pool.workers.map(async (worker) => {
            let inBits = 0;
            let outBits = 0;
            await Promise.all(
              [...worker.transports].map(async (t) => {
                const stats = (await t.getStats().catch(() => [])) as {
                  recvBitrate?: number;
                  sendBitrate?: number;
                }[];
                const stat = stats[0];
                inBits += stat?.recvBitrate ?? 0;
                outBits += stat?.sendBitrate ?? 0;
              }),
            );
            this.set({ worker: worker.index, direction: 'in' }, inBits);
            this.set({ worker: worker.index, direction: 'out' }, outBits);
          }),
        );
      },
    }),
  );

  // Both from one getResourceUsage() request per worker and scrape.
  let usage: Promise<{ index: number; cpuSeconds: number; maxRssBytes: number }[]> | undefined;
  const readUsage = () => {
    usage ??= Promise.all(
      pool.workers.map(async (worker) => {
        const ru = await worker.worker.getResourceUsage().catch(() => undefined);
        return {
          index: worker.index,
          cpuSeconds: ru ? (ru.ru_utime + ru.ru_stime) / 1000 : NaN,
          // ru_maxrss is in KiB on Linux.
          maxRssBytes: ru ? ru.ru_maxrss * 1024 : NaN,
        };
      }),
    ).finally(() => setTimeout(() => (usage = undefined), 0));
    return usage;
  };

  track(
    'educloud_sfu_worker_cpu_seconds',
    new Gauge({
      name: 'educloud_sfu_worker_cpu_seconds',
      help: 'CPU time (user + system) used by each worker process since it started',
      labelNames: ['worker'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const u of await readUsage()) {
          if (!Number.isNaN(u.cpuSeconds)) this.set({ worker: u.index }, u.cpuSeconds);
        }
      },
    }),
  );
  track(
    'educloud_sfu_worker_max_rss_bytes',
    new Gauge({
      name: 'educloud_sfu_worker_max_rss_bytes',
      help: 'Peak resident memory of each worker process',
      labelNames: ['worker'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const u of await readUsage()) {
          if (!Number.isNaN(u.maxRssBytes)) this.set({ worker: u.index }, u.maxRssBytes);
        }
      },
    }),
  );

  return () => {
    for (const name of names) registry.removeSingleMetric(name);
  };
}
