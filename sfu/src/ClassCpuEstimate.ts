/** One worker as sampled at a scrape: its process and the CPU time it has used so far. */
export interface WorkerCpuSample {
  index: number;
  pid: number;
  cpuSeconds: number;
}

/** What one class holds on each worker (by worker index), at the same scrape. */
export interface ClassWorkerLoad {
  classId: string;
  byWorker: ReadonlyMap<number, { peers: number; consumers: number }>;
}

/**
 * The CPU time of the mediasoup workers shared out among the classes, for a per-class CPU
 * metric. A worker does not say which router its time went to, so each worker's CPU since the
 * previous sample is divided among the classes by their share of its consumers (a worker's
 * cost is per forwarded packet, and consumers are what forward them); a worker holding peers
 * but no consumers divides by peers. It is an estimate, and says so in the metric's help.
 */
export class ClassCpuEstimate {
  /** CPU seconds already shared out, by worker pid (a replaced worker starts again from 0). */
  private readonly seen = new Map<number, number>();
  private readonly totals = new Map<string, number>();

  /** Shares out what each worker used since the last call; returns each class's total. */
  sample(
    workers: readonly WorkerCpuSample[],
    classes: readonly ClassWorkerLoad[],
  ): ReadonlyMap<string, number> {
    const live = new Set(classes.map((c) => c.classId));
    for (const id of this.totals.keys()) if (!live.has(id)) this.totals.delete(id);
    const pids = new Set<number>();
    for (const w of workers) {
      if (!Number.isFinite(w.cpuSeconds)) continue;
      pids.add(w.pid);
      const before = this.seen.get(w.pid);
      this.seen.set(w.pid, w.cpuSeconds);
      // The first sample of a worker is its baseline: what it used before may have been for
      // classes long gone.
      if (before === undefined) continue;
      const spent = Math.max(0, w.cpuSeconds - before);
      const weights = classes.map((c) => c.byWorker.get(w.index));
      const consumers = weights.reduce((n, x) => n + (x?.consumers ?? 0), 0);
      const peers = weights.reduce((n, x) => n + (x?.peers ?? 0), 0);
      const by: 'consumers' | 'peers' = consumers > 0 ? 'consumers' : 'peers';
      const whole = consumers > 0 ? consumers : peers;
      if (whole === 0) continue;
      classes.forEach((c, i) => {
        const part = weights[i]?.[by] ?? 0;
        if (part === 0) return;
        this.totals.set(c.classId, (this.totals.get(c.classId) ?? 0) + (spent * part) / whole);
      });
    }
    for (const pid of this.seen.keys()) if (!pids.has(pid)) this.seen.delete(pid);
    for (const c of classes) if (!this.totals.has(c.classId)) this.totals.set(c.classId, 0);
    return this.totals;
  }
}
