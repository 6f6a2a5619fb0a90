import Button from '@mui/material/Button';
import Paper from '@mui/material/Paper';
import Typography from '@mui/material/Typography';
import { useState, type ReactNode } from 'react';
import { useAfterBoard } from '../collab/use-after-board.js';

/** Longest the device check waits for the board before opening anyway (a board that failed). */
const fallbackMs = 8_000;

/**
 * The live panel's device check opens the camera (a playing preview) and the microphone (a
 * level meter drawn every frame): on the class page's first load they took main thread from
 * the board. `children` (the live panel) mount once the board is usable and the page idle, at
 * once when the user asks, or after `fallbackMs` whatever the board does.
 */
export function DeferredDeviceCheck({
  boardReady,
  children,
}: {
  boardReady: boolean;
  children: ReactNode;
}) {
  const [asked, setAsked] = useState(false);
  const open = useAfterBoard(boardReady, asked, fallbackMs);
  if (open) return children;
  return (
    <Paper sx={{ p: 3 }} data-testid="device-check-deferred">
      <Typography variant="h6" gutterBottom>
        Check your camera and microphone
      </Typography>
      <Button variant="outlined" data-testid="open-device-check" onClick={() => setAsked(true)}>
        Check camera and microphone
      </Button>
    </Paper>
  );
}
