import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import MenuItem from '@mui/material/MenuItem';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useCallback, useEffect, useRef, useState } from 'react';
import { describeMediaError, openCamera, openMic } from './media-devices.js';
import { MicLevel } from './mic-level.js';
import { TrackVideo } from './track-video.js';

export interface DeviceCheckResult {
  camera: MediaStreamTrack | null;
  mic: MediaStreamTrack | null;
}

/** Pick a camera and microphone, see the preview and the mic level, then join. */
export function DeviceCheck({ onJoin }: { onJoin: (r: DeviceCheckResult) => void }) {
  const [devices, setDevices] = useState<MediaDeviceInfo[]>([]);
  const [cameraId, setCameraId] = useState<string>('');
  const [micId, setMicId] = useState<string>('');
  const [camera, setCamera] = useState<MediaStreamTrack | null>(null);
  const [mic, setMic] = useState<MediaStreamTrack | null>(null);
  const [cameraError, setCameraError] = useState<string | null>(null);
  const [micError, setMicError] = useState<string | null>(null);
  const [settled, setSettled] = useState({ camera: false, mic: false });
  // Tracks handed to the room on join must outlive this component; others are stopped.
  const handedOver = useRef(new Set<MediaStreamTrack>());
  const release = (t: MediaStreamTrack | null) => {
    if (t && !handedOver.current.has(t)) t.stop();
  };

  const refreshDevices = useCallback(async () => {
    setDevices(await navigator.mediaDevices.enumerateDevices());
  }, []);

  useEffect(() => {
    if (cameraId === 'none') {
      setCamera(null);
      setSettled((v) => ({ ...v, camera: true }));
      return;
    }
    let track: MediaStreamTrack | null = null;
    let cancelled = false;
    openCamera(cameraId || null).then(
      (t) => {
        if (cancelled) return t.stop();
        track = t;
        setCamera(t);
        setCameraError(null);
        setSettled((v) => ({ ...v, camera: true }));
        void refreshDevices();
      },
      (err) => {
        if (cancelled) return;
        setCameraError(describeMediaError(err, 'camera'));
        setSettled((v) => ({ ...v, camera: true }));
      },
    );
    return () => {
      cancelled = true;
      release(track);
    };
  }, [cameraId, refreshDevices]);

  useEffect(() => {
    if (micId === 'none') {
      setMic(null);
      setSettled((v) => ({ ...v, mic: true }));
      return;
    }
    let track: MediaStreamTrack | null = null;
    let cancelled = false;
    openMic(micId || null).then(
      (t) => {
        if (cancelled) return t.stop();
        track = t;
        setMic(t);
        setMicError(null);
        setSettled((v) => ({ ...v, mic: true }));
        void refreshDevices();
      },
      (err) => {
        if (cancelled) return;
        setMicError(describeMediaError(err, 'microphone'));
        setSettled((v) => ({ ...v, mic: true }));
      },
    );
    return () => {
      cancelled = true;
      release(track);
    };
  }, [micId, refreshDevices]);

  const cameras = devices.filter((d) => d.kind === 'videoinput' && d.deviceId);
  const mics = devices.filter((d) => d.kind === 'audioinput' && d.deviceId);

  return (
    <Paper sx={{ p: 3 }} data-testid="device-check">
      <Typography variant="h6" gutterBottom>
        Check your camera and microphone
      </Typography>
      <Stack direction={{ xs: 'column', md: 'row' }} spacing={3}>
        <Box
          sx={{
            width: { xs: '100%', md: 400 },
            aspectRatio: '16 / 9',
            borderRadius: 1,
            overflow: 'hidden',
            bgcolor: '#111',
          }}
        >
          {camera ? <TrackVideo track={camera} mirror testId="preview-video" /> : null}
        </Box>
        <Stack spacing={2} sx={{ flex: 1, minWidth: 240 }}>
          <TextField
            select
            label="Camera"
            value={cameraId || (camera?.getSettings().deviceId ?? '')}
            onChange={(e) => setCameraId(e.target.value)}
            slotProps={{ htmlInput: { 'data-testid': 'camera-select' } }}
          >
            {cameras.map((d, i) => (
              <MenuItem key={d.deviceId} value={d.deviceId}>
                {d.label || `Camera ${i + 1}`}
              </MenuItem>
            ))}
            <MenuItem value="none">No camera</MenuItem>
          </TextField>
          {cameraError && <Alert severity="warning">{cameraError}</Alert>}
          <TextField
            select
            label="Microphone"
            value={micId || (mic?.getSettings().deviceId ?? '')}
            onChange={(e) => setMicId(e.target.value)}
          >
            {mics.map((d, i) => (
              <MenuItem key={d.deviceId} value={d.deviceId}>
                {d.label || `Microphone ${i + 1}`}
              </MenuItem>
            ))}
            <MenuItem value="none">No microphone</MenuItem>
          </TextField>
          <MicLevel track={mic} />
          {micError && <Alert severity="warning">{micError}</Alert>}
          <Button
            variant="contained"
            size="large"
            data-testid="join-live"
            disabled={!settled.camera || !settled.mic}
            onClick={() => {
              for (const t of [camera, mic]) if (t) handedOver.current.add(t);
              onJoin({ camera, mic });
            }}
          >
            Join the live class
          </Button>
        </Stack>
      </Stack>
    </Paper>
  );
}
