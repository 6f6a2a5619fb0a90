import { useEffect, useState } from 'react';
import { DeviceCheck, type DeviceCheckResult } from './device-check.js';
import { LiveRoomView } from './live-room-view.js';

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
  const [devices, setDevices] = useState<DeviceCheckResult | null>(null);
  const inRoom = devices !== null;
  // A block body: whatever the callback returns must not become the effect's cleanup.
  useEffect(() => {
    onInRoom?.(inRoom);
  }, [inRoom, onInRoom]);
  if (!devices) return <DeviceCheck onJoin={setDevices} />;
  return (
    <LiveRoomView
      classId={classId}
      title={title}
      getToken={getToken}
      camera={devices.camera}
      mic={devices.mic}
      onExit={() => {
        devices.camera?.stop();
        devices.mic?.stop();
        setDevices(null);
      }}
    />
  );
}
