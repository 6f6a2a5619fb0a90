import { expect, it } from 'vitest';
import { ClassCpuEstimate } from './ClassCpuEstimate.js';

const load = (classId: string, ...workers: [number, number, number][]) => ({
  classId,
  byWorker: new Map(workers.map(([index, peers, consumers]) => [index, { peers, consumers }])),
});

it('shares each worker’s CPU since the last sample among classes by their consumers', () => {
  const cpu = new ClassCpuEstimate();
  const classes = [load('a', [0, 4, 30], [1, 2, 10]), load('b', [0, 1, 10])];
  // The first sample is the baseline: nothing is shared out yet.
  expect([...cpu.sample([{ index: 0, pid: 10, cpuSeconds: 5 }], classes)]).toEqual([
    ['a', 0],
    ['b', 0],
  ]);
  const totals = cpu.sample(
    [
      { index: 0, pid: 10, cpuSeconds: 9 },
      { index: 1, pid: 11, cpuSeconds: 3 },
    ],
    classes,
  );
  // Worker 0 spent 4 s: a holds 30 of its 40 consumers, b 10. Worker 1 is new: its baseline.
  expect(totals.get('a')).toBeCloseTo(3);
  expect(totals.get('b')).toBeCloseTo(1);
  const next = cpu.sample(
    [
      { index: 0, pid: 10, cpuSeconds: 9 },
      { index: 1, pid: 11, cpuSeconds: 5 },
    ],
    classes,
  );
  expect(next.get('a')).toBeCloseTo(5);
  expect(next.get('b')).toBeCloseTo(1);
});

it('divides by peers on a worker without consumers, restarts a replaced worker, drops ended classes', () => {
  const cpu = new ClassCpuEstimate();
  const both = [load('a', [0, 3, 0]), load('b', [0, 1, 0])];
  cpu.sample([{ index: 0, pid: 10, cpuSeconds: 1 }], both);
  const byPeers = cpu.sample([{ index: 0, pid: 10, cpuSeconds: 3 }], both);
  expect(byPeers.get('a')).toBeCloseTo(1.5);
  expect(byPeers.get('b')).toBeCloseTo(0.5);
  // Slot 0's worker died and was replaced (new pid, its CPU counted from 0): a new baseline,
  // not a negative or a huge share. Class b has ended.
  const after = cpu.sample([{ index: 0, pid: 12, cpuSeconds: 0.2 }], [load('a', [0, 3, 0])]);
  expect([...after]).toEqual([['a', 1.5]]);
  const later = cpu.sample([{ index: 0, pid: 12, cpuSeconds: 1.2 }], [load('a', [0, 3, 0])]);
  expect(later.get('a')).toBeCloseTo(2.5);
  // A worker whose usage could not be read shares nothing.
  expect(
    cpu.sample([{ index: 0, pid: 12, cpuSeconds: NaN }], [load('a', [0, 3, 0])]).get('a'),
  ).toBeCloseTo(2.5);
});
