import { describe, expect, it } from 'vitest';
import { TokenService } from './token-service.js';

describe('TokenService', () => {
  const key = new Uint8Array(32).fill(1);
  const tokens = new TokenService(key, 60, 120);

  it('round-trips account and guest tokens', async () => {
    const access = await tokens.issueAccess({ userId: 'u1', role: 'teacher', name: 'T' });
    expect(await tokens.verify(access.token)).toEqual({
      ok: true,
      principal: { kind: 'user', userId: 'u1', role: 'teacher', name: 'T' },
      expiresAt: access.expiresAt,
    });
    const guest = await tokens.issueGuest({ userId: 'g1', classId: 'c1', name: 'G' });
    expect(await tokens.verify(guest.token)).toEqual({
      ok: true,
      principal: { kind: 'guest', userId: 'g1', classId: 'c1', name: 'G' },
      expiresAt: guest.expiresAt,
    });
  });

  it('reports expiry separately from forgery', async () => {
    const expired = new TokenService(key, -10, -10);
    const t = await expired.issueAccess({ userId: 'u1', role: 'student', name: 'S' });
    expect(await tokens.verify(t.token)).toEqual({ ok: false, reason: 'expired' });
    const forger = new TokenService(new Uint8Array(32).fill(2), 60, 60);
    const f = await forger.issueAccess({ userId: 'u1', role: 'admin', name: 'M' });
    expect(await tokens.verify(f.token)).toEqual({ ok: false, reason: 'invalid' });
    expect(await tokens.verify('not.a.jwt')).toEqual({ ok: false, reason: 'invalid' });
  });

  it('refuses account tokens issued before the session version changed', async () => {
    const versions = new Map([['u1', 0]]);
    const checked = new TokenService(key, 60, 120, async (id) => versions.get(id));
    const old = await checked.issueAccess({ userId: 'u1', role: 'student', name: 'S' });
    expect((await checked.verify(old.token)).ok).toBe(true);
    versions.set('u1', 1);
    expect(await checked.verify(old.token)).toEqual({ ok: false, reason: 'revoked' });
    const fresh = await checked.issueAccess({
      userId: 'u1',
      role: 'student',
      name: 'S',
      version: 1,
    });
    expect((await checked.verify(fresh.token)).ok).toBe(true);
    versions.delete('u1');
    expect(await checked.verify(fresh.token)).toEqual({ ok: false, reason: 'invalid' });
  });
});
