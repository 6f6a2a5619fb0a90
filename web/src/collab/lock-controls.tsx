import LockIcon from '@mui/icons-material/Lock';
import LockOpenIcon from '@mui/icons-material/LockOpen';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';

/** The "locked" chip everyone sees, and for teachers the button that flips the lock. */
export function LockChip({
  locked,
  isTeacher,
  testId,
}: {
  locked: boolean | null;
  isTeacher: boolean;
  testId: string;
}) {
  if (!locked) return null;
  return (
    <Chip
      size="small"
      icon={<LockIcon />}
      label={isTeacher ? 'Locked for students' : 'Locked by the teacher'}
      data-testid={testId}
    />
  );
}

export function LockToggle({
  locked,
  setLocked,
  onError,
  testId,
}: {
  locked: boolean | null;
  setLocked: (locked: boolean) => Promise<unknown>;
  onError: (message: string) => void;
  testId: string;
}) {
  const toggle = async () => {
    try {
      await setLocked(!locked);
    } catch (err) {
      onError(err instanceof Error ? err.message : String(err));
    }
  };
  return (
    <Button
      size="small"
      variant="outlined"
      startIcon={locked ? <LockOpenIcon /> : <LockIcon />}
      disabled={locked === null}
      onClick={() => void toggle()}
      data-testid={testId}
    >
      {locked ? 'Unlock' : 'Lock'}
    </Button>
  );
}
