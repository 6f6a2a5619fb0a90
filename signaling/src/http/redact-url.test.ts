import { describe, expect, it } from 'vitest';
import { metricsAuthorized } from './metrics-auth.js';
import { redactUrl } from './redact-url.js';

describe('redactUrl', () => {
  it('cuts grants, invite codes and query values out, keeping the shape', () => {
    expect(redactUrl('/hls/rec-1/k3x.AbCdEfGhIjKlMnOpQrStUv/720p/seg_00001.ts')).toBe(
      '/hls/rec-1/<grant>/720p/seg_00001.ts',
    );
    expect(redactUrl('/join/s3cr3tC0de?ref=mail')).toBe('/join/<code>?ref=<redacted>');
    expect(redactUrl('/api/invites/s3cr3tC0de/guest')).toBe('/api/invites/<code>/guest');
    expect(redactUrl('/collab/class/x/board?token=eyJ.a.b&room=1')).toBe(
      '/collab/class/x/board?token=<redacted>&room=<redacted>',
    );
  });

  it('leaves URLs without secrets alone', () => {
    for (const url of ['/hls/rec-1/public/master.m3u8', '/api/classes/abc', '/healthz', '/']) {
      expect(redactUrl(url)).toBe(url);
    }
  });
});

describe('metricsAuthorized', () => {
  it('accepts only the exact bearer token', () => {
    const token = 'metrics-token-0123456789';
    expect(metricsAuthorized(`Bearer ${token}`, token)).toBe(true);
    expect(metricsAuthorized(`bearer ${token}`, token)).toBe(true);
    for (const header of [undefined, '', token, `Bearer ${token}x`, `Bearer ${token.slice(1)}`]) {
      expect(metricsAuthorized(header, token), String(header)).toBe(false);
    }
    expect(metricsAuthorized(`Basic ${Buffer.from(`u:${token}`).toString('base64')}`, token)).toBe(
      false,
    );
  });
});
