import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import type { BreakoutState } from '@educloud/protocol';
import type { LiveSnapshot } from '../live/live-session.js';

/** The drag's payload type: a member's user id (not text, so nothing else drops here). */
const dragType = 'application/x-educloud-user';

export interface BreakoutRoomsOverviewProps {
  state: BreakoutState;
  live: LiveSnapshot;
  /** The room the teacher is visiting (null: the main room). */
  inRoom: string | null;
  move: (userId: string, roomId: string | null) => void;
}

/**
 * Every room of the class at a glance: who is in it, whose hand is up, where the teacher is.
 * Students are dragged between rooms; the select beside each name does the same from the
 * keyboard. "Visit" takes the teacher (alone) into a room.
 */
export function BreakoutRoomsOverview({ state, live, inRoom, move }: BreakoutRoomsOverviewProps) {
  const [dropTarget, setDropTarget] = useState<string | null | undefined>(undefined);
  const students = live.peers.filter((p) => p.info.role === 'student');
  const me = live.self;
  const rooms: { id: string | null; name: string }[] = [
    { id: null, name: 'Main room' },
    ...state.rooms,
  ];
  return (
    <Stack spacing={1} data-testid="breakout-rooms">
      {rooms.map((room) => {
        const here = students.filter((p) => (state.placement[p.info.userId] ?? null) === room.id);
        const hands = here.filter((p) => p.info.handRaised).length;
        return (
          <Paper
            key={room.id ?? 'main'}
            variant="outlined"
            data-testid="breakout-room"
            data-room-id={room.id ?? 'main'}
            onDragOver={(e) => {
              if (!e.dataTransfer.types.includes(dragType)) return;
              e.preventDefault();
              e.dataTransfer.dropEffect = 'move';
              setDropTarget(room.id);
            }}
            onDragLeave={() => setDropTarget(undefined)}
            onDrop={(e) => {
              e.preventDefault();
              setDropTarget(undefined);
              const userId = e.dataTransfer.getData(dragType);
              if (userId && (state.placement[userId] ?? null) !== room.id) move(userId, room.id);
            }}
            sx={{
              p: 1,
              borderColor: dropTarget === room.id ? 'primary.main' : undefined,
              borderStyle: dropTarget === room.id ? 'dashed' : undefined,
            }}
          >
            <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
              <Typography variant="subtitle2" sx={{ flex: 1 }}>
                {room.name} · {here.length}
                {hands > 0 && (
                  <Box component="span" aria-label={`${hands} hands up`}>
                    {' '}
                    ✋{hands}
                  </Box>
                )}
                {inRoom === room.id && (
                  <Typography component="span" variant="caption" color="primary">
                    {' '}
                    (you are here)
                  </Typography>
                )}
              </Typography>
              {me && inRoom !== room.id && (
                <Button
                  size="small"
                  data-testid="breakout-visit"
                  onClick={() => move(me.userId, room.id)}
                >
                  {room.id === null ? 'Back' : 'Visit'}
                </Button>
              )}
            </Stack>
            {here.map((p) => (
              <Stack
                key={p.info.peerId}
                direction="row"
                spacing={1}
                draggable
                onDragStart={(e) => {
                  e.dataTransfer.setData(dragType, p.info.userId);
                  e.dataTransfer.effectAllowed = 'move';
                }}
                data-testid="breakout-member"
                data-user-id={p.info.userId}
                data-hand={String(p.info.handRaised)}
                sx={{ alignItems: 'center', cursor: 'grab', py: 0.25 }}
              >
                <Typography variant="body2" sx={{ flex: 1 }} noWrap>
                  {p.info.handRaised && (
                    <span role="img" aria-label="hand up">
                      ✋{' '}
                    </span>
                  )}
                  {p.info.name}
                </Typography>
                <TextField
                  select
                  size="small"
                  value={room.id ?? ''}
                  onChange={(e) => move(p.info.userId, e.target.value || null)}
                  slotProps={{
                    select: { native: true },
                    htmlInput: { 'aria-label': `Room of ${p.info.name}` },
                  }}
                >
                  {rooms.map((r) => (
                    <option key={r.id ?? 'main'} value={r.id ?? ''}>
                      {r.name}
                    </option>
                  ))}
                </TextField>
              </Stack>
            ))}
          </Paper>
        );
      })}
    </Stack>
  );
}
