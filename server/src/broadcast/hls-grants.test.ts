import { describe, expect, it } from 'vitest';
import { parseHlsPath } from './hls-files.js';
import { HlsGrants } from './hls-grants.js';

describe('HlsGrants', () => {
  const secret = 'x'.repeat(40);
  it('accepts its own grant for the same recording only, until it expires', () => {
    let now = 1_000_000_000_000;
    const grants = new HlsGrants(secret, 60, () => now);
    const { token } = grants.sign('rec-1');
    expect(grants.verify('rec-1', token)).toBe('ok');
    expect(grants.verify('rec-2', token)).toBe('invalid');
    now += 61_000;
    expect(grants.verify('rec-1', token)).toBe('expired');
  });

  it('refuses grants signed with another secret or tampered with', () => {
    const grants = new HlsGrants(secret, 60);
    const other = new HlsGrants('y'.repeat(40), 60);
    expect(grants.verify('rec-1', other.sign('rec-1').token)).toBe('invalid');
    const [exp, mac] = grants.sign('rec-1').token.split('.') as [string, string];
    const later = (Number.parseInt(exp, 36) + 3600).toString(36);
    expect(grants.verify('rec-1', `${later}.${mac}`)).toBe('invalid');
    expect(grants.verify('rec-1', 'public')).toBe('invalid');
    expect(grants.verify('rec-1', '')).toBe('invalid');
  });
});

describe('parseHlsPath', () => {
  it('accepts playlists, segments and the MP4, in the recording or a rendition folder', () => {
    expect(parseHlsPath('/hls/abc-1/tok/master.m3u8')).toMatchObject({
      recordingId: 'abc-1',
      grant: 'tok',
      file: 'master.m3u8',
      ext: 'm3u8',
    });
    expect(parseHlsPath('/hls/abc/tok/720p/seg_00001.ts')?.file).toBe('720p/seg_00001.ts');
    expect(parseHlsPath('/hls/abc/tok/recording.mp4')?.ext).toBe('mp4');
  });

  it('refuses traversal, hidden, temporary and unknown files', () => {
    for (const p of [
      '/hls/abc/tok/../secret.key',
      '/hls/abc/tok/..%2f..%2fsecret.ts',
      '/hls/abc/tok/%2e%2e/x.ts',
      '/hls/abc/tok/../../x/index.m3u8',
      '/hls/abc/tok/seg_00001.ts.tmp',
      '/hls/abc/tok/packager.pid',
      '/hls/abc/tok/.hidden.ts',
      '/hls/abc/tok/a/b/c.ts',
      '/hls/../tok/index.m3u8',
      '/hls/abc/tok/',
      '/hls/abc/index.m3u8',
    ]) {
      expect(parseHlsPath(p), p).toBeNull();
    }
  });
});
