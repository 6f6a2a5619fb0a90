import { describe, expect, it, vi } from 'vitest';
import { offlineSessions } from './offline-session.test-support.js';
import { LiveAckError } from './signaling-client.js';

/** A session that was in the class (peer p1) and whose socket is up again. */
function wasInTheClass(session: ReturnType<ReturnType<typeof offlineSessions>['create']>) {
  Object.assign(session as unknown as Record<string, unknown>, {
    joinedOnce: true,
    running: true,
  });
  (session as unknown as { state: { peerId: string } }).state.peerId = 'p1';
  (session.socket as unknown as { connected: boolean }).connected = true;
}

describe('LiveSession re-join', () => {
  const sessions = offlineSessions();

  it('tries a failed re-join again while the socket stays up, waiting longer each time', async () => {
    const session = sessions.create();
    wasInTheClass(session);
    const asked = vi
      .spyOn(session.signaling, 'request')
      .mockRejectedValue(new Error('operation has timed out'));
    sessions.fire(session, 'connect');
    await vi.advanceTimersByTimeAsync(0);
    expect(asked).toHaveBeenCalledTimes(1);
    expect(asked.mock.calls[0]).toEqual(['class:join', { classId: 'class-1', resumePeerId: 'p1' }]);
    expect(session.snapshot().status).toBe('error');
    await vi.advanceTimersByTimeAsync(1000);
    expect(asked).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(1000);
    expect(asked).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(1000);
    expect(asked).toHaveBeenCalledTimes(3);
  });

  it('does not try again a re-join the server refused', async () => {
    const session = sessions.create();
    wasInTheClass(session);
    const asked = vi
      .spyOn(session.signaling, 'request')
      .mockRejectedValue(new LiveAckError('forbidden', 'You are not a member of this class'));
    sessions.fire(session, 'connect');
    await vi.advanceTimersByTimeAsync(30_000);
    expect(asked).toHaveBeenCalledTimes(1);
    expect(session.snapshot()).toMatchObject({
      status: 'error',
      error: 'You are not a member of this class',
    });
  });
});
