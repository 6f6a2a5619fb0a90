import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import Skeleton from '@mui/material/Skeleton';
import { lazy, Suspense, useState, useSyncExternalStore } from 'react';
import { colorForUser } from '../collab/user-color.js';
import type { LiveSession, LiveSnapshot } from '../live/live-session.js';
import { clock, useSecondsLeft } from './countdown-clock.js';

// tldraw is large: loaded with the first breakout, not with every page of the app.
const BreakoutBoard = lazy(() =>
  import('./breakout-board.js').then((m) => ({ default: m.BreakoutBoard })),
);

export interface BreakoutBannerProps {
  classId: string;
  session: LiveSession;
  live: LiveSnapshot;
  isTeacher: boolean;
}

/**
 * Above the stage while breakouts run, for whoever is in (or waits for) a room: which room, the
 * clock, the teacher's messages, the room's whiteboard; a student picks a room when students
 * choose. A teacher sees it only while visiting a room (they run the rooms from the side panel).
 */
export function BreakoutBanner({ classId, session, live, isTeacher }: BreakoutBannerProps) {
  const b = useSyncExternalStore(session.breakouts.subscribe, session.breakouts.snapshot);
  const [error, setError] = useState<string | null>(null);
  const secondsLeft = useSecondsLeft(b.state?.endsAt ?? null);
  const me = live.self;
  if (live.status !== 'joined' || !b.state || !me) return null;
  const myRoom = isTeacher ? b.inRoom : (b.state.placement[me.userId] ?? null);
  if (isTeacher && myRoom === null) return null;
  const roomName = (id: string | null) =>
    id === null ? 'Main room' : (b.state?.rooms.find((r) => r.id === id)?.name ?? 'Room');
  const move = (roomId: string | null) => {
    setError(null);
    session.breakouts.move(me.userId, roomId).catch((err: Error) => setError(err.message));
  };

  return (
    <Paper variant="outlined" sx={{ p: 1.5 }} data-testid="breakout-panel">
      <Stack spacing={1}>
        <Stack direction="row" spacing={1} sx={{ alignItems: 'center', flexWrap: 'wrap' }}>
          <Chip
            color="primary"
            label={isTeacher ? `Visiting ${roomName(myRoom)}` : roomName(myRoom)}
            data-testid="breakout-my-room"
          />
          {secondsLeft !== null && (
            <Chip
              label={`${clock(secondsLeft)} left`}
              color={secondsLeft <= 60 ? 'warning' : 'default'}
              data-testid="breakout-countdown"
            />
          )}
          {b.state.speakToAll && <Chip color="error" label="The teacher speaks to all rooms" />}
          {isTeacher && (
            <Button size="small" data-testid="breakout-back" onClick={() => move(null)}>
              Back to the main room
            </Button>
          )}
        </Stack>
        {error && (
          <Typography color="error" variant="body2" data-testid="breakout-error">
            {error}
          </Typography>
        )}
        {b.messages.map((m) => (
          <Typography key={m.sentAt + m.text} variant="body2" data-testid="breakout-message">
            <strong>{m.from}:</strong> {m.text}
          </Typography>
        ))}
        {!isTeacher && b.state.assignment === 'choose' && (
          <Stack direction="row" spacing={1} sx={{ flexWrap: 'wrap' }}>
            {[null, ...b.state.rooms.map((r) => r.id)].map((id) => (
              <Button
                key={id ?? 'main'}
                size="small"
                variant={id === myRoom ? 'contained' : 'outlined'}
                onClick={() => move(id)}
              >
                {roomName(id)}
              </Button>
            ))}
          </Stack>
        )}
        {myRoom && (
          <Suspense fallback={<Skeleton variant="rounded" height={320} />}>
            <BreakoutBoard
              key={myRoom}
              classId={classId}
              roomId={myRoom}
              user={{ id: me.userId, name: me.name, color: colorForUser(me.userId) }}
            />
          </Suspense>
        )}
      </Stack>
    </Paper>
  );
}
