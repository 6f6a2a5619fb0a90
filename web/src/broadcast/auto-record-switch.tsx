import FormControlLabel from '@mui/material/FormControlLabel';
import Switch from '@mui/material/Switch';
import Typography from '@mui/material/Typography';
import { useEffect, useState } from 'react';
import { useApi } from '../auth/session-context.js';
import { getRecordingSettings, putRecordingSettings } from './broadcast-api.js';

/** The teacher's "record automatically" setting: recording starts when the class goes live. */
export function AutoRecordSwitch({ classId }: { classId: string }) {
  const api = useApi();
  const [autoRecord, setAutoRecord] = useState<boolean | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let cancelled = false;
    void getRecordingSettings(api, classId).then(
      (s) => !cancelled && setAutoRecord(s.autoRecord),
      // A server that does not record classes has no such setting: the switch stays hidden.
      () => !cancelled && setAutoRecord(null),
    );
    return () => {
      cancelled = true;
    };
  }, [api, classId]);
  if (autoRecord === null) return null;
  return (
    <div>
      <FormControlLabel
        control={
          <Switch
            checked={autoRecord}
            slotProps={{ input: { 'aria-describedby': 'auto-record-help' } }}
            data-testid="auto-record"
            onChange={(e) => {
              const next = e.target.checked;
              setAutoRecord(next);
              setError(null);
              putRecordingSettings(api, classId, { autoRecord: next }).then(
                (s) => setAutoRecord(s.autoRecord),
                () => {
                  setAutoRecord(!next);
                  setError('The setting could not be saved');
                },
              );
            }}
          />
        }
        label="Record the class automatically"
      />
      <Typography id="auto-record-help" variant="body2" color="text.secondary">
        {error ?? 'Recording starts by itself when the class goes live; everyone sees it.'}
      </Typography>
    </div>
  );
}
