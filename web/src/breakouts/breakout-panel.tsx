import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import MenuItem from '@mui/material/MenuItem';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useEffect, useState, useSyncExternalStore } from 'react';
import { breakoutLimits, type BreakoutAssignment, type BreakoutState } from '@educloud/protocol';
import { colorForUser } from '../collab/user-color.js';
import type { LiveSession, LiveSnapshot } from '../live/live-session.js';
import { BreakoutBoard } from './breakout-board.js';

function useSecondsLeft(endsAt: number | null): number | null {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (endsAt === null) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [endsAt]);
  return endsAt === null ? null : Math.max(0, Math.round((endsAt - now) / 1000));
}

function clock(seconds: number): string {
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

export interface BreakoutPanelProps {
  classId: string;
  session: LiveSession;
  live: LiveSnapshot;
  isTeacher: boolean;
}

/** Breakout rooms in the live room: the teacher's controls, or a student's room and clock. */
export function BreakoutPanel({ classId, session, live, isTeacher }: BreakoutPanelProps) {
  const b = useSyncExternalStore(session.breakouts.subscribe, session.breakouts.snapshot);
  const [error, setError] = useState<string | null>(null);
  const secondsLeft = useSecondsLeft(b.state?.endsAt ?? null);
  const run = (work: () => Promise<void>) => {
    setError(null);
    work().catch((err: Error) => setError(err.message));
  };
  if (live.status !== 'joined') return null;
  const myUserId = live.self?.userId ?? null;
  const myRoom = b.state && myUserId ? (b.state.placement[myUserId] ?? null) : null;
  const roomName = (id: string | null) =>
    id === null ? 'Main room' : (b.state?.rooms.find((r) => r.id === id)?.name ?? 'Room');

  return (
    <Paper variant="outlined" sx={{ p: 2 }} data-testid="breakout-panel">
      <Stack spacing={1.5}>
        <Stack direction="row" spacing={1} sx={{ alignItems: 'center', flexWrap: 'wrap' }}>
          <Typography variant="subtitle1">Breakout rooms</Typography>
          {b.state && secondsLeft !== null && (
            <Chip
              label={`${clock(secondsLeft)} left`}
              color={secondsLeft <= 60 ? 'warning' : 'default'}
              data-testid="breakout-countdown"
            />
          )}
          {!isTeacher && b.state && (
            <Chip color="primary" label={roomName(myRoom)} data-testid="breakout-my-room" />
          )}
          {b.state?.speakToAll && <Chip color="error" label="The teacher speaks to all rooms" />}
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
        {isTeacher ? (
          b.state ? (
            <TeacherControls session={session} live={live} state={b.state} run={run} />
          ) : (
            <OpenForm session={session} run={run} />
          )
        ) : (
          b.state?.assignment === 'choose' &&
          myUserId && (
            <Stack direction="row" spacing={1} sx={{ flexWrap: 'wrap' }}>
              {[null, ...b.state.rooms.map((r) => r.id)].map((id) => (
                <Button
                  key={id ?? 'main'}
                  size="small"
                  variant={id === myRoom ? 'contained' : 'outlined'}
                  onClick={() => run(() => session.breakouts.move(myUserId, id))}
                >
                  {roomName(id)}
                </Button>
              ))}
            </Stack>
          )
        )}
        {!isTeacher && myRoom && live.self && (
          <BreakoutBoard
            key={myRoom}
            classId={classId}
            roomId={myRoom}
            user={{
              id: live.self.userId,
              name: live.self.name,
              color: colorForUser(live.self.userId),
            }}
          />
        )}
      </Stack>
    </Paper>
  );
}

function OpenForm({
  session,
  run,
}: {
  session: LiveSession;
  run: (work: () => Promise<void>) => void;
}) {
  const [count, setCount] = useState(2);
  const [assignment, setAssignment] = useState<BreakoutAssignment>('random');
  const [minutes, setMinutes] = useState(10);
  return (
    <Stack direction="row" spacing={1} sx={{ alignItems: 'center', flexWrap: 'wrap' }}>
      <TextField
        size="small"
        type="number"
        label="Rooms"
        value={count}
        onChange={(e) => setCount(Number(e.target.value))}
        slotProps={{
          htmlInput: {
            min: breakoutLimits.minRooms,
            max: breakoutLimits.maxRooms,
            'data-testid': 'breakout-count',
          },
        }}
      />
      <TextField
        select
        size="small"
        label="Assign"
        value={assignment}
        onChange={(e) => setAssignment(e.target.value as BreakoutAssignment)}
        slotProps={{ htmlInput: { 'data-testid': 'breakout-assignment' } }}
      >
        <MenuItem value="random">At random</MenuItem>
        <MenuItem value="manual">By hand</MenuItem>
        <MenuItem value="choose">Students choose</MenuItem>
      </TextField>
      <TextField
        size="small"
        type="number"
        label="Minutes"
        value={minutes}
        onChange={(e) => setMinutes(Number(e.target.value))}
        slotProps={{ htmlInput: { min: 0.1, step: 'any', 'data-testid': 'breakout-minutes' } }}
      />
      <Button
        variant="contained"
        data-testid="breakout-open"
        onClick={() =>
          run(() =>
            session.breakouts.open({
              count,
              assignment,
              durationSeconds: Math.max(breakoutLimits.minDuration, Math.round(minutes * 60)),
            }),
          )
        }
      >
        Open breakout rooms
      </Button>
    </Stack>
  );
}

function TeacherControls({
  session,
  live,
  state,
  run,
}: {
  session: LiveSession;
  live: LiveSnapshot;
  state: BreakoutState;
  run: (work: () => Promise<void>) => void;
}) {
  const [text, setText] = useState('');
  const students = live.peers.filter((p) => p.info.role === 'student');
  const me = live.self;
  const speaking = state.speakToAll?.peerId === live.peerId;
  const rooms: { id: string | null; name: string }[] = [
    { id: null, name: 'Main room' },
    ...state.rooms,
  ];
  return (
    <Stack spacing={1.5}>
      <Stack direction="row" spacing={1} sx={{ flexWrap: 'wrap' }}>
        <Button size="small" onClick={() => run(() => session.breakouts.extend(300))}>
          +5 minutes
        </Button>
        <Button
          size="small"
          variant={speaking ? 'contained' : 'outlined'}
          color="error"
          data-testid="breakout-speak"
          onClick={() => run(() => session.breakouts.speakToAll(!speaking))}
        >
          {speaking ? 'Stop speaking to all rooms' : 'Speak to all rooms'}
        </Button>
        <Button
          size="small"
          variant="outlined"
          data-testid="breakout-close"
          onClick={() => run(() => session.breakouts.closeAll())}
        >
          Close all rooms
        </Button>
      </Stack>
      <Stack direction="row" spacing={1}>
        <TextField
          size="small"
          label="Message to all rooms"
          value={text}
          onChange={(e) => setText(e.target.value)}
          sx={{ flex: 1 }}
        />
        <Button
          size="small"
          disabled={!text.trim()}
          onClick={() =>
            run(async () => {
              await session.breakouts.messageAll(text);
              setText('');
            })
          }
        >
          Send
        </Button>
      </Stack>
      {rooms.map((room) => {
        const here = students.filter((p) => (state.placement[p.info.userId] ?? null) === room.id);
        return (
          <Stack key={room.id ?? 'main'} spacing={0.5} data-testid="breakout-room">
            <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
              <Typography variant="subtitle2">{room.name}</Typography>
              {me && (
                <Button
                  size="small"
                  onClick={() => run(() => session.breakouts.move(me.userId, room.id))}
                >
                  {room.id === null ? 'Back to main' : 'Visit'}
                </Button>
              )}
            </Stack>
            {here.map((p) => (
              <Stack key={p.info.peerId} direction="row" spacing={1} sx={{ alignItems: 'center' }}>
                <Typography variant="body2">
                  {p.info.name}
                  {p.info.handRaised ? ' ✋' : ''}
                </Typography>
                <TextField
                  select
                  size="small"
                  value={room.id ?? ''}
                  onChange={(e) =>
                    run(() => session.breakouts.move(p.info.userId, e.target.value || null))
                  }
                >
                  {rooms.map((r) => (
                    <MenuItem key={r.id ?? 'main'} value={r.id ?? ''}>
                      {r.name}
                    </MenuItem>
                  ))}
                </TextField>
              </Stack>
            ))}
          </Stack>
        );
      })}
    </Stack>
  );
}
