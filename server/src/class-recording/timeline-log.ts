import { appendFile, readFile } from 'node:fs/promises';
import { timelineEventSchema, type TimelineEvent } from '@educloud/protocol';

export const TIMELINE_FILE = 'timeline.jsonl';

/**
 * A class recording's timeline, one JSON line per event appended as it happens, so a crash
 * keeps everything up to the last line written.
 */
export class TimelineLog {
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly path: string) {}

  append(e: TimelineEvent): void {
    const line = `${JSON.stringify(e)}\n`;
    this.queue = this.queue.then(() => appendFile(this.path, line)).catch(() => {});
  }

  flush(): Promise<void> {
    return this.queue;
  }
}

/** The events of a timeline file, in time order; a line cut short by a crash is skipped. */
export async function readTimeline(path: string): Promise<TimelineEvent[]> {
  const text = await readFile(path, 'utf8').catch(() => '');
  const out: TimelineEvent[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const parsed = timelineEventSchema.safeParse(JSON.parse(line));
      if (parsed.success) out.push(parsed.data);
    } catch {
      // The last line of a killed process may be partial.
    }
  }
  return out.sort((a, b) => a.at - b.at);
}
