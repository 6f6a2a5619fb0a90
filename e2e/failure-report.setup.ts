/**
 * Setup file of the e2e project: when a browser test fails, it prints what its contexts and
 * servers did (failure-report.ts) right then, on every failed attempt, so a flaky test that
 * passes on its retry in CI still shows why its first attempt failed.
 */
import { afterEach, beforeEach } from 'vitest';
import { renderFailureReport } from './failure-report.js';

/**
 * When the previous test of the file ended: a report shows the events since then, so the
 * first test's report includes what its file's beforeAll did, and a retry's report starts
 * where the failed attempt ended.
 */
let previousEnd = Date.now();

beforeEach(({ onTestFailed, task }) => {
  const since = previousEnd;
  const start = Date.now();
  // A retry's result still holds the errors of the attempts before it.
  const earlierErrors = task.result?.errors?.length ?? 0;
  onTestFailed(async ({ task }) => {
    const attempt = (task.result?.retryCount ?? 0) + 1;
    const errors = (task.result?.errors ?? [])
      .slice(earlierErrors)
      .map((e) => e.stack || `${e.name}: ${e.message}`);
    const report = await renderFailureReport(since, start);
    console.error(
      [
        `[failure report] "${task.fullTestName ?? task.name}", attempt ${attempt}`,
        ...errors.map((e, i) => `error ${i + 1}: ${e}`),
        report,
        `[end of failure report] "${task.fullTestName ?? task.name}", attempt ${attempt}`,
      ].join('\n'),
    );
  });
});

afterEach(() => {
  previousEnd = Date.now();
});
