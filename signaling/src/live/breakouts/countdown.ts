/**
 * The breakouts' clock: warnings some seconds before the end, then the end. Extending moves
 * the end and re-arms the warnings still ahead.
 */
export class Countdown {
  private timers: NodeJS.Timeout[] = [];
  private end: number;

  constructor(
    endsAt: number,
    private readonly warnings: readonly number[],
    private readonly onWarning: (secondsLeft: number) => void,
    private readonly onEnd: () => void,
    private readonly now: () => number = Date.now,
  ) {
    this.end = endsAt;
    this.arm();
  }

  get endsAt(): number {
    return this.end;
  }

  extend(seconds: number): number {
    this.end += seconds * 1000;
    this.arm();
    return this.end;
  }

  /** Moves the end to `seconds` from now (sooner or later). */
  endIn(seconds: number): number {
    return this.endAt(this.now() + seconds * 1000);
  }

  /** Moves the end to `endsAt` (epoch ms; set on another node, say). */
  endAt(endsAt: number): number {
    this.end = endsAt;
    this.arm();
    return this.end;
  }

  stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers = [];
  }

  private arm(): void {
    this.stop();
    const left = this.end - this.now();
    for (const seconds of this.warnings) {
      const at = left - seconds * 1000;
      if (at > 0) this.timers.push(setTimeout(() => this.onWarning(seconds), at));
    }
    this.timers.push(setTimeout(() => this.onEnd(), Math.max(0, left)));
  }
}
