import { defineProject } from 'vitest/config';

// Browser tests: one file at a time (one Chromium on 2 cores), generous time per test.
export default defineProject({
  test: {
    name: 'e2e',
    include: ['**/*.e2e.test.ts'],
    fileParallelism: false,
    // After every other project has finished: Chromium needs the 2 cores to itself.
    sequence: { groupOrder: 1 },
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
