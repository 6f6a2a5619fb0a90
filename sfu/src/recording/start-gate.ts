/**
 * Lets a few tasks run at once, the most urgent first. Starting an ffmpeg costs about 0.2 s of
 * CPU (it links some 200 libraries): a class of 22 tracks started all at once shares the CPU
 * and every track starts late, while a few at a time start the first ones at once.
 */
export class StartGate {
  private running = 0;
  private readonly waiting: { priority: number; seq: number; go: () => void }[] = [];
  private seq = 0;

  constructor(private readonly limit: number) {}

  /** Runs `task` when its turn comes (lower `priority` first, then in order of arrival). */
  async run<T>(priority: number, task: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) {
      await new Promise<void>((go) => {
        this.waiting.push({ priority, seq: this.seq++, go });
        this.waiting.sort((a, b) => a.priority - b.priority || a.seq - b.seq);
      });
    } else {
      this.running++;
    }
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      // The slot passes straight to the next task; only when none waits is it freed.
      if (next) next.go();
      else this.running--;
    }
  }
}
