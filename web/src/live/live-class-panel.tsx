import { startTransition, useContext, useEffect, useState } from 'react';
import { useSession } from '../auth/session-context.js';
import { BroadcastFeedContext } from '../broadcast/broadcast-feed.js';
import { DeviceCheck, type DeviceCheckResult } from './device-check.js';
import type { LiveSession } from './live-session.js';
import { LiveRoomView } from './live-room-view.js';
import { openLiveSession } from './use-live-session.js';
import { useJoinAhead } from './join-ahead.js';

/**
 * The live part of a class page: the device check first, then the room (which fills the
 * window). `onInRoom` tells the page when the room is open, so it can step out of the way.
 */
export function LiveClassPanel({
  classId,
  title,
  getToken,
  onInRoom,
}: {
  classId: string;
  title: string;
  getToken: () => Promise<string | null>;
  onInRoom?: (inRoom: boolean) => void;
}) {
  const { user } = useSession();
  const feed = useContext(BroadcastFeedContext);
  const [joined, setJoined] = useState<{
    devices: DeviceCheckResult;
    session: LiveSession;
  } | null>(null);
  const inRoom = joined !== null;
  const takePrepared = useJoinAhead(getToken, !inRoom);
  // A block body: whatever the callback returns must not become the effect's cleanup.
  useEffect(() => {
    onInRoom?.(inRoom);
  }, [inRoom, onInRoom]);
  if (!joined) {
    return (
      <DeviceCheck
        onJoin={(devices) => {
          // The join starts on the click; the room's first render (long) is interruptible,
          // so the join's socket messages are handled while it renders.
          const session = openLiveSession(
            classId,
            getToken,
            {
              ...(devices.camera ? { camera: devices.camera } : {}),
              ...(devices.mic ? { mic: devices.mic } : {}),
            },
            user ? { id: user.id, name: user.displayName } : null,
            (status) => feed?.push(status),
            takePrepared(),
          );
          startTransition(() => setJoined({ devices, session }));
        }}
      />
    );
  }
  const { devices, session } = joined;
  return (
    <LiveRoomView
      session={session}
      title={title}
      onExit={() => {
        devices.camera?.stop();
        devices.mic?.stop();
        setJoined(null);
      }}
    />
  );
}
