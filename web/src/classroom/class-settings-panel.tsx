import Alert from '@mui/material/Alert';
import FormControlLabel from '@mui/material/FormControlLabel';
import FormGroup from '@mui/material/FormGroup';
import Switch from '@mui/material/Switch';
import type { ClassSettings } from '@educloud/protocol';
import { useState } from 'react';
import type { LiveSession } from '../live/live-session.js';

const labels: Record<keyof ClassSettings, string> = {
  studentsMayUnmute: 'Students may unmute themselves',
  studentsMayShareScreen: 'Students may share their screen',
  chatEnabled: 'Chat on for students',
  locked: 'Lock the class (no new joins)',
  waitingRoom: 'Waiting room (admit students one by one)',
};

/** The teachers' switches for the class; the server stores and enforces each one. */
export function ClassSettingsPanel({
  session,
  settings,
}: {
  session: LiveSession;
  settings: ClassSettings;
}) {
  const [error, setError] = useState<string | null>(null);
  const change = (key: keyof ClassSettings, value: boolean) => {
    setError(null);
    session.signaling
      .request('class:settings', { [key]: value })
      .catch((err: Error) => setError(err.message));
  };
  return (
    <FormGroup data-testid="class-settings">
      {(Object.keys(labels) as (keyof ClassSettings)[]).map((key) => (
        <FormControlLabel
          key={key}
          label={labels[key]}
          control={
            <Switch
              checked={settings[key]}
              onChange={(e) => change(key, e.target.checked)}
              slotProps={{ input: { 'data-testid': `setting-${key}` } as object }}
            />
          }
        />
      ))}
      {error && (
        <Alert severity="warning" onClose={() => setError(null)}>
          {error}
        </Alert>
      )}
    </FormGroup>
  );
}
