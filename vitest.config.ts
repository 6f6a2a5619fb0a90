import { defineConfig } from 'vitest/config';

// The suites that store things, run a second time on PostgreSQL (DATABASE_URL) in the
// `postgres` project. Left out: the browser suites (minutes, no new queries), sessions (its
// queries are http-api's, and it is the slowest server suite), the broadcast ones
// (ffmpeg time; recordings' queries are covered by rtmp-ingest's), and class-documents, whose
// flood test counts how many frames were stored before the cut, which depends on write speed
// (collab's own suites cover its store on PostgreSQL).
const POSTGRES_SUITES = [
  'server/src/database.test.ts',
  'server/src/http-api.test.ts',
  'server/src/live-state.test.ts',
  'server/src/live-class-controls.test.ts',
  'server/src/scale-out.test.ts',
  'collab/src/sync.test.ts',
  'collab/src/reset.test.ts',
  'collab/src/lock.test.ts',
  'collab/src/delete-documents.test.ts',
  'collab/src/multi-process.test.ts',
  'rtmp-ingest/src/recordings.test.ts',
  'rtmp-ingest/src/recovery.test.ts',
  'rtmp-ingest/src/recovery-ownership.test.ts',
];

// One project per workspace so each part's tests can carry their own timeouts.
export default defineConfig({
  resolve: { conditions: ['source'] },
  test: {
    // Vitest's default is one worker fewer than the cores, so one on a 2-core machine; most
    // suites wait on real time (ffmpeg, timers, network), so two files at once fit 2 cores.
    // The browser project still runs alone, one file at a time, after the others.
    maxWorkers: 2,
    projects: [
      'protocol',
      'sfu',
      'signaling',
      'rtmp-ingest',
      'collab',
      'server',
      'web',
      'e2e',
      {
        resolve: { conditions: ['source'] },
        ssr: { resolve: { conditions: ['source'] } },
        test: {
          name: 'postgres',
          include: POSTGRES_SUITES,
          // One PostgreSQL for the project; every test server or fixture gets its own database.
          globalSetup: ['test-support/postgres-global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
