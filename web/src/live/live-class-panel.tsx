import { useState } from 'react';
import { DeviceCheck, type DeviceCheckResult } from './device-check.js';
import { LiveRoomView } from './live-room-view.js';

/** The live part of a class page: the device check first, then the room. */
export function LiveClassPanel({
  classId,
  getToken,
}: {
  classId: string;
  getToken: () => Promise<string | null>;
}) {
  const [devices, setDevices] = useState<DeviceCheckResult | null>(null);
  if (!devices) return <DeviceCheck onJoin={setDevices} />;
  return (
    <LiveRoomView
      classId={classId}
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
