import type { TestProject } from 'vitest/node';
import { startPostgres } from './postgres-server.js';
import './test-database.js';

/** One PostgreSQL for the whole project; each test opens databases of its own on it. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startPostgres();
  project.provide('postgresUrl', server.url);
  return () => server.stop();
}
