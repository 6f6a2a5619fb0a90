import { useCallback, useMemo, useState, type ReactNode } from 'react';
import Alert, { type AlertColor } from '@mui/material/Alert';
import Snackbar from '@mui/material/Snackbar';
import { NotifyContext } from './notify-context.js';

interface Note {
  key: number;
  message: string;
  severity: AlertColor;
}

/** One snackbar for the whole app: short confirmations ("Copied") and background failures. */
export function NotifierProvider({ children }: { children: ReactNode }) {
  const [note, setNote] = useState<Note | null>(null);
  const [open, setOpen] = useState(false);

  const notify = useCallback((message: string, severity: AlertColor = 'success') => {
    setNote({ key: Date.now(), message, severity });
    setOpen(true);
  }, []);
  const value = useMemo(() => ({ notify }), [notify]);

  return (
    <NotifyContext.Provider value={value}>
      {children}
      <Snackbar
        key={note?.key}
        open={open}
        autoHideDuration={note?.severity === 'error' ? 6000 : 2500}
        onClose={(_e, reason) => {
          if (reason !== 'clickaway') setOpen(false);
        }}
        anchorOrigin={{ vertical: 'bottom', horizontal: 'center' }}
      >
        <Alert
          severity={note?.severity ?? 'success'}
          variant="filled"
          onClose={() => setOpen(false)}
          data-testid="snackbar"
          sx={{ width: '100%' }}
        >
          {note?.message}
        </Alert>
      </Snackbar>
    </NotifyContext.Provider>
  );
}
