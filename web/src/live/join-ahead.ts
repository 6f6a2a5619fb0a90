import { Device } from 'mediasoup-client';
import type { types as ms } from 'mediasoup-client';
import { useCallback, useEffect, useRef } from 'react';
import { SignalingClient } from './signaling-client.js';

/** A mediasoup Device loaded ahead of the join, with the capabilities it was loaded with. */
export interface LoadedDevice {
  device: Device;
  capabilities: string;
}

/** What the device check prepares for a click on Join. */
export interface JoinAhead {
  /** Connected, or still connecting. */
  signaling: SignalingClient;
  /** Null when the server could not tell its capabilities (the join then loads its own). */
  device: Promise<LoadedDevice | null>;
}

/**
 * Prepares a join while the device check shows: the live-class socket connects, and the
 * browser's mediasoup Device loads with the server's router capabilities. Both otherwise start
 * on the click and compete with the room's first render, a few hundred milliseconds of every
 * join. The server joins no one on a connection alone.
 *
 * Returns `take()`, which hands over what was prepared (or, when nothing was, a new socket);
 * what is not taken is closed when the check goes away.
 */
export function useJoinAhead(
  getToken: () => Promise<string | null>,
  enabled: boolean,
): () => JoinAhead {
  // The page passes a new function on every render; the socket must not follow it.
  const tokenSource = useRef(getToken);
  tokenSource.current = getToken;
  const prepared = useRef<JoinAhead | null>(null);
  const tokens = useCallback(() => tokenSource.current(), []);
  useEffect(() => {
    if (!enabled) return;
    const signaling = new SignalingClient(tokens);
    signaling.connect();
    const ahead = { signaling, device: loadDeviceAhead(signaling) };
    prepared.current = ahead;
    return () => {
      if (prepared.current !== ahead) return;
      prepared.current = null;
      signaling.disconnect();
    };
  }, [enabled, tokens]);
  return useCallback(() => {
    const ahead = prepared.current ?? {
      signaling: new SignalingClient(tokens),
      device: Promise.resolve(null),
    };
    prepared.current = null;
    return ahead;
  }, [tokens]);
}

async function loadDeviceAhead(signaling: SignalingClient): Promise<LoadedDevice | null> {
  try {
    if (!signaling.connected) {
      await new Promise<void>((resolve) => signaling.socket.once('connect', () => resolve()));
    }
    const { routerRtpCapabilities } = await signaling.request('media:capabilities', {});
    const device = new Device();
    await device.load({
      routerRtpCapabilities: routerRtpCapabilities as unknown as ms.RtpCapabilities,
    });
    return { device, capabilities: JSON.stringify(routerRtpCapabilities) };
  } catch {
    // An older server, or no WebRTC here: the join loads a Device as it always did.
    return null;
  }
}
