import { describe, expect, it } from 'vitest';
import { StartGate } from './start-gate.js';

describe('StartGate', () => {
  it('runs at most `limit` tasks at once, the lowest priority number first', async () => {
    const gate = new StartGate(2);
    const order: string[] = [];
    let now = 0;
    let peak = 0;
    const releases = new Map<string, () => void>();
    const task = (name: string, priority: number) =>
      gate.run(priority, async () => {
        order.push(name);
        peak = Math.max(peak, ++now);
        await new Promise<void>((r) => releases.set(name, r));
        now--;
        return name;
      });
    const all = [task('a', 2), task('b', 2), task('c', 2), task('d', 0), task('e', 1)];
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual(['a', 'b']);
    releases.get('a')!();
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual(['a', 'b', 'd']);
    for (const name of ['b', 'd', 'e', 'c']) {
      releases.get(name)!();
      await new Promise((r) => setImmediate(r));
    }
    expect(await Promise.all(all)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(order).toEqual(['a', 'b', 'd', 'e', 'c']);
    expect(peak).toBe(2);
  });

  it('frees the slot when a task fails', async () => {
    const gate = new StartGate(1);
    await expect(gate.run(0, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await gate.run(0, async () => 'next')).toBe('next');
  });
});
