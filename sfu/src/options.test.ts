import { pino } from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { SfuError } from './errors.js';
import { resolveOptions } from './options.js';

const base = { logger: pino({ level: 'silent' }), registry: new Registry() };

describe('resolveOptions', () => {
  it('applies defaults', () => {
    const options = resolveOptions({ ...base, announcedAddress: '203.0.113.7' });
    expect(options.numWorkers).toBeGreaterThanOrEqual(1);
    expect(options.listenIp).toBe('0.0.0.0');
    expect(options.rtcPort).toBe(44444);
    expect(options.plainListenIp).toBe('127.0.0.1');
    expect(options.enableTcp).toBe(true);
    expect(options.standbyCameras).toBe(2);
  });

  it('accepts port 0 with a loopback listen IP', () => {
    const options = resolveOptions({ ...base, listenIp: '127.0.0.1', rtcPort: 0, numWorkers: 2 });
    expect(options.rtcPort).toBe(0);
    expect(options.announcedAddress).toBeUndefined();
  });

  it('reports every problem at once', () => {
    let error: unknown;
    try {
      resolveOptions({
        ...base,
        numWorkers: 0,
        listenIp: 'localhost',
        rtcPort: 70000,
        rtcMinPort: 5000,
        rtcMaxPort: 4000,
        workerLogLevel: 'loud' as never,
        standbyCameras: -1,
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SfuError);
    const { code, message } = error as SfuError;
    expect(code).toBe('validation_failed');
    for (const part of [
      'numWorkers',
      'listenIp',
      'rtcPort',
      'rtcMinPort',
      'workerLogLevel',
      'standbyCameras',
    ]) {
      expect(message).toContain(part);
    }
  });

  it('requires announcedAddress when listening on every interface', () => {
    expect(() => resolveOptions({ ...base, listenIp: '0.0.0.0' })).toThrow(/announcedAddress/);
  });

  it('rejects WebRtcServer ports inside the plain transport range', () => {
    expect(() =>
      resolveOptions({ ...base, listenIp: '127.0.0.1', rtcPort: 46000, numWorkers: 2 }),
    ).toThrow(/overlap/);
  });
});
