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
    // A failed test prints what its browser contexts and servers did (failure-report.ts).
    setupFiles: ['./failure-report.setup.ts'],
    // One retry in CI only, for a browser test that lost a race with a loaded machine; the
    // failed attempt's report is printed all the same, so a flake stays visible. Locally a
    // failure fails at once.
    retry: process.env.CI ? 1 : 0,
  },
});
