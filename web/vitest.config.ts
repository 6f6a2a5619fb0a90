import { defineProject } from 'vitest/config';
import react from '@vitejs/plugin-react';

// Only pure logic is unit-tested here (no DOM); the UI is covered by the browser tests in e2e/.
export default defineProject({
  plugins: [react()],
  resolve: { conditions: ['source'] },
  test: { name: 'web', environment: 'node', include: ['src/**/*.test.ts'] },
});
