export interface DeviceChoice {
  cameraId: string | null;
  micId: string | null;
}

/** Turns getUserMedia's errors into something a teacher or student can act on. */
export function describeMediaError(err: unknown, what: string): string {
  const name = err instanceof DOMException ? err.name : '';
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return `Permission to use the ${what} was refused. Allow it in the browser's address bar and try again.`;
    case 'NotFoundError':
    case 'OverconstrainedError':
      return `No ${what} was found. Plug one in, or join without it.`;
    case 'NotReadableError':
      return `The ${what} is in use by another program or could not be started.`;
    default:
      return `The ${what} could not be started${err instanceof Error ? `: ${err.message}` : ''}.`;
  }
}

/** `facing` picks a phone's front ('user') or back ('environment') camera. */
export async function openCamera(
  deviceId: string | null,
  facing?: 'user' | 'environment',
): Promise<MediaStreamTrack> {
  const stream = await navigator.mediaDevices.getUserMedia({
    video: {
      ...(deviceId ? { deviceId: { exact: deviceId } } : {}),
      ...(facing ? { facingMode: { ideal: facing } } : {}),
      width: { ideal: 1280 },
      height: { ideal: 720 },
      frameRate: { ideal: 30 },
    },
  });
  return stream.getVideoTracks()[0]!;
}

export async function openMic(deviceId: string | null): Promise<MediaStreamTrack> {
  const stream = await navigator.mediaDevices.getUserMedia({
    audio: {
      ...(deviceId ? { deviceId: { exact: deviceId } } : {}),
      echoCancellation: true,
      noiseSuppression: true,
      autoGainControl: true,
    },
  });
  return stream.getAudioTracks()[0]!;
}

export async function openScreen(): Promise<MediaStreamTrack> {
  const stream = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: 15 } });
  return stream.getVideoTracks()[0]!;
}
