import { afterEach, beforeEach, vi } from 'vitest';
import { LiveSession } from './live-session.js';

/**
 * A LiveSession for unit tests, on fake timers, whose socket never connects: tests hand its
 * listeners server news with `fire` and stub its requests.
 */
export function offlineSessions(): {
  create(): LiveSession;
  fire(session: LiveSession, event: string, payload?: unknown): void;
} {
  beforeEach(() => {
    vi.useFakeTimers();
    // The session's socket takes its address from the page.
    vi.stubGlobal('location', new URL('http://127.0.0.1:9/'));
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });
  return {
    create: () => {
      const session = new LiveSession('class-1', async () => null, {});
      (session as unknown as { listen(): void }).listen();
      return session;
    },
    fire: (session, event, payload) => {
      const socket = session.socket as unknown as {
        listeners(e: string): ((p: unknown) => void)[];
      };
      for (const listener of socket.listeners(event)) listener(payload);
    },
  };
}
