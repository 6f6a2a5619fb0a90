/**
 * The deployment files: docker-compose.yml as docker-compose itself reads it (the topology,
 * media ports matching each node's workers), and the Dockerfile's promises (worker layer kept
 * across code changes, non-root, health check, no .env in the image).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const hasCompose = spawnSync('docker-compose', ['version'], { stdio: 'ignore' }).status === 0;
if (!hasCompose) {
  console.warn(
    'docker-compose is not installed (apt-get install docker-compose): compose checks skipped',
  );
}

const env = {
  SECRET: 's'.repeat(40),
  POSTGRES_PASSWORD: 'pg-password',
  TURN_SECRET: 't'.repeat(24),
  PUBLIC_HOST: 'class.example.org',
  PUBLIC_IP: '203.0.113.10',
};

function composeConfig(vars: Record<string, string>) {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !(k in env) && !k.startsWith('COMPOSE_')),
  );
  return spawnSync('docker-compose', ['-f', 'docker-compose.yml', 'config'], {
    cwd: root,
    env: { ...clean, ...vars },
    encoding: 'utf8',
  });
}

interface Port {
  published: number | string;
  target: number;
  protocol?: string;
}
interface Service {
  environment?: Record<string, string>;
  ports?: Port[];
  volumes?: (string | { source?: string; target: string })[];
  command?: string[];
  networks?: Record<string, { ipv4_address?: string } | null>;
}

/** The volume (or bind) source mounted at `target`; compose prints short or long syntax. */
const mountedAt = (s: Service, target: string) =>
  (s.volumes ?? [])
    .map((v) => {
      if (typeof v !== 'string') return v;
      const [source, t] = v.split(':');
      return { source, target: t };
    })
    .find((v) => v.target === target)?.source;

const published = (s: Service, protocol: string) =>
  (s.ports ?? [])
    .filter((p) => (p.protocol ?? 'tcp') === protocol)
    .map((p) => Number(p.published))
    .sort((a, b) => a - b);

describe.skipIf(!hasCompose)('docker-compose.yml', () => {
  it('validates, and describes two nodes, PostgreSQL, Redis, coturn and a TLS proxy', () => {
    const r = composeConfig(env);
    expect(r.stderr).not.toMatch(/ERROR/);
    expect(r.status).toBe(0);
    const services = (parse(r.stdout) as { services: Record<string, Service> }).services;
    expect(Object.keys(services).sort()).toEqual(
      ['coturn', 'node-a', 'node-b', 'postgres', 'proxy', 'redis'].sort(),
    );
    expect(published(services.proxy!, 'tcp')).toContain(443);

    const nodeIds = new Set<string>();
    const pipeAddresses = new Set<string>();
    for (const name of ['node-a', 'node-b']) {
      const node = services[name]!;
      const e = node.environment!;
      expect(e.DATABASE_URL).toBe('postgres://educloud:pg-password@postgres:5432/educloud');
      expect(e.REDIS_URL).toBe('redis://redis:6379');
      expect(e.SECRET).toBe(env.SECRET);
      expect(e.TURN_SECRET).toBe(env.TURN_SECRET);
      expect(e.TURN_URLS).toContain('turns:class.example.org:5349?transport=tcp');
      nodeIds.add(e.NODE_ID!);
      // One media port per worker, UDP and TCP, from RTC_PORT up.
      const workers = Number(e.MEDIASOUP_WORKERS);
      const first = Number(e.RTC_PORT);
      const expected = Array.from({ length: workers }, (_, i) => first + i);
      expect(published(node, 'udp')).toEqual(expected);
      expect(published(node, 'tcp').filter((p) => p >= first)).toEqual(expected);
      // Recordings on storage every node mounts; its own data dir otherwise (no shared SQLite).
      expect(mountedAt(node, e.RECORDINGS_DIR!)).toBe('recordings');
      expect(mountedAt(node, '/data')).toBe(`${name}-data`);
      // The other node reaches this one's media pipes at its own fixed address.
      pipeAddresses.add(e.NODE_PIPE_ADDRESS!);
      expect(node.networks?.default?.ipv4_address).toBe(e.NODE_PIPE_ADDRESS);
    }
    expect(nodeIds.size).toBe(2);
    expect(pipeAddresses.size).toBe(2);

    const turn = services.coturn!;
    expect(turn.command).toEqual(
      expect.arrayContaining(['--use-auth-secret', `--static-auth-secret=${env.TURN_SECRET}`]),
    );
    expect(published(turn, 'udp')).toContain(3478);
    expect(published(turn, 'tcp')).toEqual(expect.arrayContaining([3478, 5349]));
    // The whole relay range coturn allocates from is published.
    const opt = (k: string) =>
      Number(turn.command!.find((c) => c.startsWith(`--${k}=`))!.split('=')[1]);
    const relay = published(turn, 'udp').filter((p) => p >= opt('min-port'));
    expect(relay).toHaveLength(opt('max-port') - opt('min-port') + 1);
  });

  it('refuses to start without the secrets, naming them', () => {
    for (const missing of ['SECRET', 'POSTGRES_PASSWORD', 'TURN_SECRET']) {
      const r = composeConfig(
        Object.fromEntries(Object.entries(env).filter(([k]) => k !== missing)),
      );
      expect(r.status).not.toBe(0);
      expect(r.stderr).toContain(missing);
    }
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');
  // Instructions by stage, continuation lines joined.
  const stages = new Map<string, string[]>();
  let current: string[] = [];
  for (const line of dockerfile.replace(/\\\n/g, ' ').split('\n')) {
    const l = line.trim();
    if (!l || l.startsWith('#')) continue;
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(l);
    if (from) {
      current = [l];
      stages.set(from[2] ?? `stage${stages.size}`, current);
    } else current.push(l);
  }
  const ancestry = (name: string): string[] => {
    const own = stages.get(name)!;
    const base = /^FROM\s+(\S+)/i.exec(own[0]!)![1]!;
    return [...(stages.has(base) ? ancestry(base) : []), ...own];
  };

  it('builds the mediasoup worker in a stage that copies no source code', () => {
    const worker = ancestry('worker');
    expect(worker.some((l) => /build-mediasoup-worker\.sh/.test(l) && l.startsWith('RUN'))).toBe(
      true,
    );
    const copies = worker.filter((l) => /^COPY\s/i.test(l));
    expect(copies.length).toBeGreaterThan(0);
    for (const c of copies) {
      expect(c).toMatch(/^COPY\s+(\S*package(-lock)?\.json\s+)+\S+$|build-mediasoup-worker\.sh/);
    }
    const runtime = [...stages.values()].at(-1)!;
    expect(runtime.some((l) => /^COPY\s+--from=worker\s/.test(l))).toBe(true);
  });

  it('runs as a non-root user with a health check', () => {
    const runtime = [...stages.values()].at(-1)!;
    const user = runtime.filter((l) => /^USER\s/i.test(l)).at(-1);
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^USER\s+(root|0)(:|$)/);
    expect(runtime.some((l) => /^HEALTHCHECK\s.*\/healthz/.test(l))).toBe(true);
  });

  it('keeps .env and local data out of the image', () => {
    const ignored = readFileSync(path.join(root, '.dockerignore'), 'utf8').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['.env', '.env.*', 'data', 'node_modules']));
  });
});
