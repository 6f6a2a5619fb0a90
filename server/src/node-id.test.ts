import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { resolveNodeId } from './node-id.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});
const dataDir = async () => {
  const d = await mkdtemp(path.join(os.tmpdir(), 'educloud-node-id-'));
  dirs.push(d);
  return d;
};

it('keeps a generated node id in the data dir, one per data dir', async () => {
  const a = await dataDir();
  const first = await resolveNodeId(undefined, a);
  expect(first).toMatch(/^[0-9a-f-]{36}$/);
  // A restart of the same node recognises itself.
  expect(await resolveNodeId(undefined, a)).toBe(first);
  // Another node (its own data dir) is another id.
  expect(await resolveNodeId(undefined, await dataDir())).not.toBe(first);
  expect(await resolveNodeId('node-a', a)).toBe('node-a');
});
