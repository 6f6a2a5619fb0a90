import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LiveSession } from './live-session.js';
import { SignalingClient } from './signaling-client.js';

/** A socket the page connected ahead of the click on Join, as the device check does. */
function socketThatIs(connected: boolean) {
  const signaling = new SignalingClient(async () => null);
  (signaling.socket as unknown as { connected: boolean }).connected = connected;
  vi.spyOn(signaling.socket, 'connect').mockReturnValue(signaling.socket);
  const asked = vi.spyOn(signaling, 'request').mockReturnValue(new Promise(() => undefined));
  return { signaling, asked };
}

describe('LiveSession on a socket connected ahead', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.stubGlobal('location', new URL('http://127.0.0.1:9/'));
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('asks to join on start, without waiting for a connect that already happened', () => {
    const { signaling, asked } = socketThatIs(true);
    const session = new LiveSession('class-1', async () => null, {}, undefined, {
      signaling,
      device: Promise.resolve(null),
    });
    session.start();
    expect(asked).toHaveBeenCalledWith('class:join', { classId: 'class-1' });
    expect(session.signaling).toBe(signaling);
  });

  it('waits for the connection of a socket still connecting', () => {
    const { signaling, asked } = socketThatIs(false);
    const session = new LiveSession('class-1', async () => null, {}, undefined, {
      signaling,
      device: Promise.resolve(null),
    });
    session.start();
    expect(asked).not.toHaveBeenCalledWith('class:join', expect.anything());
    for (const listener of signaling.socket.listeners('connect')) listener();
    expect(asked).toHaveBeenCalledWith('class:join', { classId: 'class-1' });
  });
});
