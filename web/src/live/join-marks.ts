/**
 * The steps of one join, with when each happened (performance.now()): the join benchmark reads
 * them to show where the time between the click and the first frame goes. They are also User
 * Timing marks (`educloud:join:<step>`) for the browser's profiler, but kept here too: a library
 * on the page may clear the page's marks. Only the first of each step counts until the next join.
 */
export class JoinMarks {
  private readonly at = new Map<string, number>();

  /** A new join starts: its steps are marked again. */
  restart(): void {
    this.at.clear();
    this.mark('start');
  }

  mark(step: string): void {
    if (this.at.has(step) || typeof performance === 'undefined') return;
    this.at.set(step, performance.now());
    performance.mark?.(`educloud:join:${step}`);
  }

  /** Each step so far, by when it happened. */
  steps(): Record<string, number> {
    return Object.fromEntries(this.at);
  }
}
