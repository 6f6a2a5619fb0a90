import FiberManualRecordIcon from '@mui/icons-material/FiberManualRecord';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import { useEffect, useState } from 'react';
import type { ClassRecordingStatus } from '@educloud/protocol';
import { LiveAckError, type SignalingClient } from './signaling-client.js';

const idle: ClassRecordingStatus = { recording: false, recordingId: null, startedAt: null };

/**
 * The class recording: a "Recording" indicator everyone sees while it runs, and the teacher's
 * start / stop button. The server tells every participant (and each joiner) with
 * `recording:status`, and the teachers why an automatic start was refused (shown as an alert).
 */
export function RecordingControl(props: {
  signaling: SignalingClient;
  isTeacher: boolean;
  onError: (message: string) => void;
}) {
  const { signaling, isTeacher, onError } = props;
  const [status, setStatus] = useState<ClassRecordingStatus>(idle);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    const socket = signaling.socket;
    const onStatus = (s: ClassRecordingStatus) => {
      setStatus(s);
      // "Record automatically" was refused as the class went live (only teachers are told).
      if (s.refused) onError(`Recording did not start automatically: ${s.refused.message}`);
    };
    socket.on('recording:status', onStatus);
    return () => {
      socket.off('recording:status', onStatus);
    };
  }, [signaling, onError]);

  const toggle = async () => {
    setBusy(true);
    try {
      setStatus(
        await signaling.request(status.recording ? 'recording:stop' : 'recording:start', {}),
      );
    } catch (err) {
      onError(err instanceof LiveAckError ? err.message : 'Recording could not be changed');
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      {status.recording && (
        <Chip
          color="error"
          icon={<FiberManualRecordIcon />}
          label="Recording"
          data-testid="recording-indicator"
          aria-live="polite"
        />
      )}
      {isTeacher && (
        <Button
          variant={status.recording ? 'contained' : 'outlined'}
          color="error"
          disabled={busy}
          data-testid={status.recording ? 'stop-recording' : 'start-recording'}
          onClick={() => void toggle()}
        >
          {status.recording ? 'Stop recording' : 'Record'}
        </Button>
      )}
    </>
  );
}
