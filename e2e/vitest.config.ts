import { defineProject } from 'vitest/config';

// Browser tests: one file at a time (one Chromium on 2 cores), generous time per test.
export default defineProject({
  test: {
    name: 'e2e',
    include: ['**/*.e2e.test.ts'],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
