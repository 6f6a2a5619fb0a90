import { describe, expect, it } from 'vitest';
import { peerLimits } from '@educloud/protocol';
import type { AckError } from './ack-error.js';
import type { MediaRoom } from './media-port.js';
import { PeerLimits } from './peer-limits.js';

// The limits only compare media rooms by identity: plain objects stand in for them.
const room = () => ({}) as MediaRoom;
const code = (f: () => unknown) => {
  try {
    f();
    return 'ok';
  } catch (err) {
    return (err as AckError).code;
  }
};

describe('PeerLimits', () => {
  it('caps consumers per peer and frees the places of closed producers', () => {
    const limits = new PeerLimits();
    const media = room();
    const alive = new Set<string>();
    for (let i = 0; i < peerLimits.consumers; i++) {
      alive.add(`p${i}`);
      expect(code(() => limits.takeConsumer('a', media, `p${i}`, (id) => alive.has(id)))).toBe(
        'ok',
      );
    }
    alive.add('one-more');
    expect(code(() => limits.takeConsumer('a', media, 'one-more', (id) => alive.has(id)))).toBe(
      'limit_exceeded',
    );
    // Another peer has its own budget.
    expect(code(() => limits.takeConsumer('b', media, 'one-more', (id) => alive.has(id)))).toBe(
      'ok',
    );
    alive.delete('p0');
    expect(code(() => limits.takeConsumer('a', media, 'one-more', (id) => alive.has(id)))).toBe(
      'ok',
    );
  });

  it('counts transports per direction, gives back a failed one, and starts afresh on a new media room', () => {
    const limits = new PeerLimits();
    const media = room();
    const release = limits.takeTransport('a', media, 'send');
    limits.takeTransport('a', media, 'send');
    expect(code(() => limits.takeTransport('a', media, 'send'))).toBe('limit_exceeded');
    expect(code(() => limits.takeTransport('a', media, 'recv'))).toBe('ok');
    release();
    expect(code(() => limits.takeTransport('a', media, 'send'))).toBe('ok');
    expect(code(() => limits.takeTransport('a', room(), 'send'))).toBe('ok');
  });
});
