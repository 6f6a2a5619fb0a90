import { defineConfig } from 'vitest/config';

// One project per workspace so each part's tests can carry their own timeouts; the browser
// end-to-end project runs its files one at a time (2 cores, one Chromium at once).
export default defineConfig({
  resolve: { conditions: ['source'] },
  test: {
    projects: ['protocol', 'sfu', 'signaling', 'rtmp-ingest', 'collab', 'server', 'web', 'e2e'],
  },
});
