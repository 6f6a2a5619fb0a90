/**
 * What the running server gives away to people who should not have it: metrics only with the
 * operator's token (or on the operator's own port), and an access log without the secrets that
 * travel in URLs (HLS grants, invite codes, query tokens).
 */
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HlsGrants } from '../broadcast/hls-grants.js';
import { startTestServer, type TestServer } from '../test-support/test-server.js';

const SECRET = 'observability-test-secret-0123456789abcdef';
const METRICS_TOKEN = 'metrics-token-0123456789abcdef';

describe('with METRICS_TOKEN and METRICS_PORT', () => {
  let s: TestServer;
  const logLines: string[] = [];

  beforeAll(async () => {
    const logger = pino({ level: 'info' }, { write: (line: string) => logLines.push(line) });
    s = await startTestServer({ SECRET, METRICS_TOKEN, METRICS_PORT: '0' }, logger);
  }, 60_000);
  afterAll(() => s?.stop());

  it('serves /metrics on the main port only with the bearer token', async () => {
    const none = await s.call('GET', '/metrics');
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('unauthorized');
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const wrong = await s.call('GET', '/metrics', {
      headers: { authorization: `Bearer ${METRICS_TOKEN.slice(0, -1)}x` },
    });
    expect(wrong.status).toBe(401);
    expect(String(wrong.body)).not.toContain('educloud_');
    const ok = await s.call('GET', '/metrics', {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatch(/^educloud_http_requests_total\{/m);
    expect(ok.body).toMatch(/^educloud_process_cpu_seconds_total/m);
  });

  it('serves metrics on its own loopback port, still asking for the token', async () => {
    expect(s.metrics?.port).toBeGreaterThan(0);
    expect(s.metrics!.port).not.toBe(s.port);
    const base = `http://127.0.0.1:${s.metrics!.port}`;
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    const ok = await fetch(`${base}/metrics`, {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toMatch(/^educloud_http_requests_total\{/m);
    // Only metrics there: not the API.
    expect((await fetch(`${base}/api/client-config`)).status).toBe(404);
  });

  it('logs requests without HLS grants, invite codes or query tokens', async () => {
    await s.call('POST', '/api/auth/signup', {
      body: { email: 'admin@o.test', password: 'longenough', displayName: 'A', role: 'teacher' },
    });
    const t = await s.call('POST', '/api/auth/signup', {
      body: { email: 'teacher@o.test', password: 'longenough', displayName: 'T', role: 'teacher' },
    });
    const c = await s.call('POST', '/api/classes', {
      token: t.body.accessToken,
      body: { title: 'Secrets' },
    });
    const code = (c.body.class.inviteUrl as string).split('/join/')[1]!;
    const recordingId = '0b0e7a53-5c4f-4d0e-9a51-6f2f3c1d2e4f';
    const grant = new HlsGrants(SECRET, 600).sign(recordingId).token;
    const queryToken = 'query-secret-0123456789';

    expect((await s.call('GET', `/api/invites/${code}`)).status).toBe(200);
    const guest = await s.call('POST', `/api/invites/${code}/guest`, {
      body: { displayName: 'Guest' },
    });
    expect(guest.status).toBe(201);
    await s.call('GET', `/join/${code}`);
    await s.call('GET', `/hls/${recordingId}/${grant}/master.m3u8`);
    await s.call('GET', `/hls/${recordingId}/public/master.m3u8`);
    await s.call('GET', `/api/classes?token=${queryToken}`);
    await s.call('GET', '/metrics', { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });

    const requests = logLines
      .map((l) => JSON.parse(l) as { msg: string; url?: string })
      .filter((l) => l.msg === 'request');
    const urls = requests.map((r) => r.url);
    // The lines are there, with the secrets cut out.
    expect(urls).toEqual(
      expect.arrayContaining([
        '/api/invites/<code>',
        '/api/invites/<code>/guest',
        '/join/<code>',
        `/hls/${recordingId}/<grant>/master.m3u8`,
        `/hls/${recordingId}/public/master.m3u8`,
        '/api/classes?token=<redacted>',
      ]),
    );
    const everything = logLines.join('\n');
    for (const secret of [code, grant, queryToken, METRICS_TOKEN, guest.body.guestToken]) {
      expect(everything).not.toContain(secret);
    }
  });
});

describe('without METRICS_TOKEN (the default)', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ SECRET });
  }, 60_000);
  afterAll(() => s?.stop());

  it('does not serve /metrics on the public port at all', async () => {
    const r = await s.call('GET', '/metrics');
    expect(r.status).toBe(404);
    expect(String(r.body)).not.toContain('educloud_');
    expect(
      (await s.call('GET', '/metrics', { headers: { authorization: 'Bearer anything-at-all' } }))
        .status,
    ).toBe(404);
    expect(s.metrics).toBeUndefined();
  });
});
