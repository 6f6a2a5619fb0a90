import Alert from '@mui/material/Alert';
import Stack from '@mui/material/Stack';
import type { ClassroomStore } from './classroom-store.js';
import type { Notice } from './notices.js';

const severity = (n: Notice) =>
  n.kind === 'unmuteAllowed' || n.kind === 'unmuteRequested' ? 'info' : 'warning';

/** What the teacher (or the class's rules) did to this user, until dismissed. */
export function LiveNotices({ notices, store }: { notices: Notice[]; store: ClassroomStore }) {
  return (
    <Stack spacing={1} role="status" aria-live="polite" data-testid="live-notices">
      {notices.map((n) => (
        <Alert
          key={n.id}
          role="none"
          severity={severity(n)}
          data-testid={`notice-${n.kind}`}
          onClose={() => store.dismissNotice(n.id)}
        >
          {n.text}
        </Alert>
      ))}
    </Stack>
  );
}
