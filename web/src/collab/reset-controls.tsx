import DeleteSweepIcon from '@mui/icons-material/DeleteSweep';
import UndoIcon from '@mui/icons-material/Undo';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogContentText from '@mui/material/DialogContentText';
import DialogTitle from '@mui/material/DialogTitle';
import type { ClassDocumentState } from '@educloud/protocol';
import { useState } from 'react';

/**
 * A teacher's "Clear board" / "Reset notes" (after a confirmation) and "Undo reset". Both go
 * through the server, which disconnects every client so all of them reload the new document.
 */
export function ResetControls({
  state,
  label,
  reset,
  undoReset,
  onError,
  testId,
}: {
  state: ClassDocumentState | null;
  /** "Clear board", "Reset notes". */
  label: string;
  reset: () => Promise<void>;
  undoReset: () => Promise<void>;
  onError: (message: string) => void;
  testId: string;
}) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    try {
      await action();
    } catch (err) {
      onError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
      setConfirming(false);
    }
  };
  return (
    <>
      <Button
        size="small"
        variant="outlined"
        color="warning"
        startIcon={<DeleteSweepIcon />}
        disabled={!state || busy}
        onClick={() => setConfirming(true)}
        data-testid={`${testId}-reset`}
      >
        {label}
      </Button>
      {state?.canUndoReset && (
        <Button
          size="small"
          startIcon={<UndoIcon />}
          disabled={busy}
          onClick={() => void run(undoReset)}
          data-testid={`${testId}-undo-reset`}
        >
          Undo reset
        </Button>
      )}
      {/* No focus trap: tldraw takes focus back, and the two would bounce it forever. */}
      <Dialog
        open={confirming}
        onClose={() => setConfirming(false)}
        disableEnforceFocus
        disableRestoreFocus
      >
        <DialogTitle>{label}?</DialogTitle>
        <DialogContent>
          <DialogContentText>
            This empties it for everybody in the class. You can undo it until the next reset.
          </DialogContentText>
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setConfirming(false)}>Cancel</Button>
          <Button
            color="warning"
            disabled={busy}
            onClick={() => void run(reset)}
            data-testid={`${testId}-reset-confirm`}
          >
            {label}
          </Button>
        </DialogActions>
      </Dialog>
    </>
  );
}
