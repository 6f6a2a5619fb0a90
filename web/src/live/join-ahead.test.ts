import { describe, expect, it, vi } from 'vitest';
import { LiveSession } from './live-session.js';
import { offlineSessions } from './offline-session.test-support.js';
import { SignalingClient } from './signaling-client.js';

/** A session on a socket the page connected ahead of the click on Join, as the device check does. */
function sessionOnSocketThatIs(connected: boolean) {
  const signaling = new SignalingClient(async () => null);
  (signaling.socket as unknown as { connected: boolean }).connected = connected;
  // Connecting or connected: Socket.IO holds its manager's subscriptions.
  vi.spyOn(signaling.socket, 'active', 'get').mockReturnValue(true);
  const connects = vi.spyOn(signaling.socket, 'connect').mockReturnValue(signaling.socket);
  const asked = vi.spyOn(signaling, 'request').mockReturnValue(new Promise(() => undefined));
  const session = new LiveSession('class-1', async () => null, {}, undefined, {
    signaling,
    device: Promise.resolve(null),
  });
  return { session, signaling, asked, connects };
}

describe('LiveSession on a socket connected ahead', () => {
  // Fake timers, and the page address a socket takes.
  offlineSessions();

  it('asks to join on start, without waiting for a connect that already happened', () => {
    const { session, signaling, asked } = sessionOnSocketThatIs(true);
    session.start();
    expect(asked).toHaveBeenCalledWith('class:join', { classId: 'class-1' });
    expect(session.signaling).toBe(signaling);
  });

  it('waits for the connection of a socket still connecting, without connecting it again', () => {
    const { session, signaling, asked, connects } = sessionOnSocketThatIs(false);
    session.start();
    // A second connect mid-handshake would bring a second 'connect', so a second join.
    expect(connects).not.toHaveBeenCalled();
    expect(asked).not.toHaveBeenCalledWith('class:join', expect.anything());
    for (const listener of signaling.socket.listeners('connect')) listener();
    expect(asked).toHaveBeenCalledWith('class:join', { classId: 'class-1' });
  });
});
