import { defineProject } from 'vitest/config';

// Tests start real mediasoup workers and ffmpeg: one file at a time on a 2-core machine.
export default defineProject({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    name: 'sfu',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
