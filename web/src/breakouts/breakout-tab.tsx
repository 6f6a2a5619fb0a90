import Badge from '@mui/material/Badge';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useState, useSyncExternalStore } from 'react';
import { breakoutLimits, type BreakoutAssignment, type BreakoutState } from '@educloud/protocol';
import type { LiveSession, LiveSnapshot } from '../live/live-session.js';
import type { RoomTab } from '../live/room-slots.js';
import { BreakoutRoomsOverview } from './breakout-rooms-overview.js';
import { clock, useSecondsLeft } from './countdown-clock.js';

/** Seconds a teacher can choose for the rooms (a 30-second "turn to your neighbour" and up). */
const durations = [30, 60, 120, 180, 300, 600, 900, 1200, 1800, 2700, 3600];
/** "Close all rooms": now, or after a short countdown the rooms see. */
const closeCountdowns = [0, 10, 30, 60].filter((s) => s <= breakoutLimits.maxCloseCountdown);

const durationLabel = (s: number) => (s < 60 ? `${s} seconds` : `${s / 60} min`);

/** The side panel's "Rooms" tab, for teachers: open, watch and run the breakout rooms. */
export function breakoutTab(session: LiveSession, live: LiveSnapshot): RoomTab {
  return {
    id: 'breakouts',
    teacherOnly: true,
    label: <BreakoutTabLabel session={session} live={live} />,
    ariaLabel: 'Breakout rooms',
    content: <BreakoutTabContent session={session} live={live} />,
  };
}

/** "Rooms", with the number of hands up in the breakouts (the teacher is not there to see). */
function BreakoutTabLabel({ session, live }: { session: LiveSession; live: LiveSnapshot }) {
  const b = useSyncExternalStore(session.breakouts.subscribe, session.breakouts.snapshot);
  const hands = b.state
    ? live.peers.filter((p) => p.info.handRaised && b.state!.placement[p.info.userId]).length
    : 0;
  return (
    <Badge color="warning" badgeContent={hands} data-testid="breakout-tab-hands">
      Rooms
    </Badge>
  );
}

function BreakoutTabContent({ session, live }: { session: LiveSession; live: LiveSnapshot }) {
  const b = useSyncExternalStore(session.breakouts.subscribe, session.breakouts.snapshot);
  const [error, setError] = useState<string | null>(null);
  const run = (work: () => Promise<void>) => {
    setError(null);
    work().catch((err: Error) => setError(err.message));
  };
  if (live.status !== 'joined') return null;
  return (
    <Stack spacing={1.5} sx={{ pt: 1 }} data-testid="breakout-tab">
      {error && (
        <Typography color="error" variant="body2" data-testid="breakout-error">
          {error}
        </Typography>
      )}
      {b.state ? (
        <TeacherControls
          session={session}
          live={live}
          state={b.state}
          inRoom={b.inRoom}
          run={run}
        />
      ) : (
        <OpenForm session={session} run={run} />
      )}
    </Stack>
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
  const [seconds, setSeconds] = useState(600);
  return (
    <Stack spacing={1.5}>
      <Typography variant="subtitle2">Open breakout rooms</Typography>
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
        slotProps={{
          select: { native: true },
          htmlInput: { 'data-testid': 'breakout-assignment' },
        }}
      >
        <option value="random">At random</option>
        <option value="manual">By hand (drag them in)</option>
        <option value="choose">Students choose</option>
      </TextField>
      <TextField
        select
        size="small"
        label="Duration"
        value={seconds}
        onChange={(e) => setSeconds(Number(e.target.value))}
        slotProps={{ select: { native: true }, htmlInput: { 'data-testid': 'breakout-duration' } }}
      >
        {durations.map((s) => (
          <option key={s} value={s}>
            {durationLabel(s)}
          </option>
        ))}
      </TextField>
      <Button
        variant="contained"
        data-testid="breakout-open"
        onClick={() =>
          run(() => session.breakouts.open({ count, assignment, durationSeconds: seconds }))
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
  inRoom,
  run,
}: {
  session: LiveSession;
  live: LiveSnapshot;
  state: BreakoutState;
  inRoom: string | null;
  run: (work: () => Promise<void>) => void;
}) {
  const [text, setText] = useState('');
  const [closeAfter, setCloseAfter] = useState(0);
  const secondsLeft = useSecondsLeft(state.endsAt);
  const speaking = state.speakToAll?.peerId === live.peerId;
  return (
    <Stack spacing={1.5}>
      <Stack direction="row" spacing={1} sx={{ alignItems: 'center', flexWrap: 'wrap' }}>
        {secondsLeft !== null && (
          <Chip
            label={`${clock(secondsLeft)} left`}
            color={secondsLeft <= 60 ? 'warning' : 'default'}
            data-testid="breakout-countdown"
          />
        )}
        {state.speakToAll && !speaking && <Chip color="error" label="Another teacher speaks" />}
        <Button size="small" onClick={() => run(() => session.breakouts.extend(300))}>
          +5 minutes
        </Button>
      </Stack>
      <Button
        size="small"
        variant={speaking ? 'contained' : 'outlined'}
        color="error"
        data-testid="breakout-speak"
        data-speaking={String(speaking)}
        onClick={() => run(() => session.breakouts.speakToAll(!speaking))}
      >
        {speaking ? 'Stop speaking to all rooms' : 'Speak to all rooms'}
      </Button>
      <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
        <TextField
          select
          size="small"
          label="Close"
          value={closeAfter}
          onChange={(e) => setCloseAfter(Number(e.target.value))}
          slotProps={{
            select: { native: true },
            htmlInput: { 'data-testid': 'breakout-close-after' },
          }}
          sx={{ minWidth: 110 }}
        >
          {closeCountdowns.map((s) => (
            <option key={s} value={s}>
              {s === 0 ? 'now' : `in ${s} s`}
            </option>
          ))}
        </TextField>
        <Button
          size="small"
          variant="outlined"
          data-testid="breakout-close"
          onClick={() => run(() => session.breakouts.closeAll(closeAfter || undefined))}
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
      <BreakoutRoomsOverview
        state={state}
        live={live}
        inRoom={inRoom}
        move={(userId, roomId) => run(() => session.breakouts.move(userId, roomId))}
      />
    </Stack>
  );
}
