import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('fills in the documented defaults', () => {
    const c = loadConfig({});
    expect(c.port).toBe(8080);
    expect(c.host).toBe('0.0.0.0');
    expect(c.dataDir).toMatch(/data$/);
    expect(c.accessTokenTtlSeconds).toBe(900);
    expect(c.allowTeacherSignup).toBe(false);
    expect(c.corsOrigins).toEqual([]);
  });

  it('names the variable that is wrong', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: '70000' })).toThrow(/PORT: must be 0-65535/);
    expect(() => loadConfig({ SECRET: 'short' })).toThrow(/SECRET: must be at least 32/);
    expect(() => loadConfig({ CORS_ORIGINS: 'not a url' })).toThrow(/CORS_ORIGINS/);
    expect(() => loadConfig({ ALLOW_TEACHER_SIGNUP: 'maybe' })).toThrow(/ALLOW_TEACHER_SIGNUP/);
    expect(() => loadConfig({ RTMP_PUBLIC_URL: 'http://x/live' })).toThrow(/RTMP_PUBLIC_URL/);
  });

  it('treats empty values as unset and parses lists', () => {
    const c = loadConfig({ PORT: '', CORS_ORIGINS: 'https://a.example, https://b.example' });
    expect(c.port).toBe(8080);
    expect(c.corsOrigins).toEqual(['https://a.example', 'https://b.example']);
  });

  it('reads the limits, metrics and deleted-class settings with safe defaults', () => {
    const d = loadConfig({});
    expect(d.metrics).toEqual({ token: undefined, port: undefined, host: '127.0.0.1' });
    expect(d.limits).toEqual({
      recordingQuotaBytesPerTeacher: 20 * 2 ** 30,
      maxBroadcastSeconds: 4 * 3600,
      minFreeDiskBytes: 2 ** 30,
      recordingRetentionDays: 0,
    });
    expect(d.classRecording).toBe(true);
    expect(d.deletedClassContent).toBe('delete');
    const c = loadConfig({
      RECORDING_QUOTA_BYTES_PER_TEACHER: '500MB',
      MIN_FREE_DISK_BYTES: '1.5GiB',
      MAX_BROADCAST_SECONDS: '0',
      METRICS_TOKEN: 'x'.repeat(16),
      METRICS_PORT: '9100',
      DELETED_CLASS_CONTENT: 'keep',
      RECORDING_RETENTION_DAYS: '30',
      CLASS_RECORDING_ENABLED: 'false',
    });
    expect(c.limits).toEqual({
      recordingQuotaBytesPerTeacher: 500_000_000,
      maxBroadcastSeconds: 0,
      minFreeDiskBytes: 1.5 * 2 ** 30,
      recordingRetentionDays: 30,
    });
    expect(c.classRecording).toBe(false);
    expect(() => loadConfig({ RECORDING_RETENTION_DAYS: '-1' })).toThrow(
      /RECORDING_RETENTION_DAYS/,
    );
    expect(c.metrics).toMatchObject({ token: 'x'.repeat(16), port: 9100 });
    expect(c.deletedClassContent).toBe('keep');
    expect(loadConfig({ RECORDING_QUOTA_BYTES_PER_TEACHER: '1234' }).limits).toMatchObject({
      recordingQuotaBytesPerTeacher: 1234,
    });
    expect(() => loadConfig({ MIN_FREE_DISK_BYTES: 'lots' })).toThrow(
      /MIN_FREE_DISK_BYTES: must be a size/,
    );
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(
      /METRICS_TOKEN: must be at least 16/,
    );
    expect(() => loadConfig({ PORT: '9100', METRICS_PORT: '9100' })).toThrow(
      /METRICS_PORT: must differ from PORT/,
    );
    expect(() => loadConfig({ DELETED_CLASS_CONTENT: 'archive' })).toThrow(/DELETED_CLASS_CONTENT/);
  });

  it('reads PostgreSQL, TURN and multi-node settings, refusing half of them', () => {
    const d = loadConfig({});
    expect(d.databaseUrl).toBeUndefined();
    expect(d.turn).toBeUndefined();
    expect(loadConfig({ DATABASE_URL: 'postgres://u:p@db:5432/educloud' }).databaseUrl).toBe(
      'postgres://u:p@db:5432/educloud',
    );
    expect(() => loadConfig({ DATABASE_URL: 'mysql://db/x' })).toThrow(/DATABASE_URL/);
    const c = loadConfig({
      TURN_URLS: 'turn:t.example:3478?transport=udp, turns:t.example:5349?transport=tcp',
      TURN_SECRET: 'k'.repeat(20),
    });
    expect(c.turn).toEqual({
      urls: ['turn:t.example:3478?transport=udp', 'turns:t.example:5349?transport=tcp'],
      secret: 'k'.repeat(20),
      ttlSeconds: 12 * 3600,
    });
    expect(() => loadConfig({ TURN_URLS: 'turn:t.example:3478' })).toThrow(/TURN_SECRET/);
    expect(() =>
      loadConfig({ TURN_URLS: 'https://t.example', TURN_SECRET: 'k'.repeat(20) }),
    ).toThrow(/TURN_URLS/);
    expect(() => loadConfig({ TURN_SECRET: 'short' })).toThrow(/TURN_SECRET: must be at least 16/);
    expect(d.recordingsDir).toBe(path.join(d.dataDir, 'recordings'));
    expect(loadConfig({ RECORDINGS_DIR: '/mnt/shared/rec' }).recordingsDir).toBe('/mnt/shared/rec');
    expect(loadConfig({ NODE_ID: 'node-b' }).nodeId).toBe('node-b');
    expect(() => loadConfig({ NODE_ID: 'a/b' })).toThrow(/NODE_ID/);
  });
});
