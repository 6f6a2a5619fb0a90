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
});
