import { useCallback, useEffect, useRef } from 'react';
import { SignalingClient } from './signaling-client.js';

/**
 * A live-class socket connected while the device check shows, so a click on Join sends
 * class:join at once: the connection (token, handshake, the server's authentication) otherwise
 * starts on the click and competes with the room's first render, a few hundred milliseconds
 * of every join. The server joins no one on a connection alone.
 *
 * Returns `take()`, which hands over that socket (connected or still connecting) or, when
 * there is none, a new one; a socket not taken is closed when the check goes away.
 */
export function useWarmSignaling(
  getToken: () => Promise<string | null>,
  enabled: boolean,
): () => SignalingClient {
  // The page passes a new function on every render; the socket must not follow it.
  const tokenSource = useRef(getToken);
  tokenSource.current = getToken;
  const warm = useRef<SignalingClient | null>(null);
  const tokens = useCallback(() => tokenSource.current(), []);
  useEffect(() => {
    if (!enabled) return;
    const client = new SignalingClient(tokens);
    client.connect();
    warm.current = client;
    return () => {
      if (warm.current !== client) return;
      warm.current = null;
      client.disconnect();
    };
  }, [enabled, tokens]);
  return useCallback(() => {
    const client = warm.current ?? new SignalingClient(tokens);
    warm.current = null;
    return client;
  }, [tokens]);
}
