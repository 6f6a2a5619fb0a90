import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['source'] },
  test: { name: 'rtmp-ingest', testTimeout: 120000 },
});
