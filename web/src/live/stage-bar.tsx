import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import ToggleButton from '@mui/material/ToggleButton';
import ToggleButtonGroup from '@mui/material/ToggleButtonGroup';
import type { StageContent, StageState } from '@educloud/protocol';
import type { FollowAction, FollowState, StageSource } from './stage-follow.js';

const sourceNames: Record<StageSource, string> = {
  board: 'Whiteboard',
  notes: 'Notes',
  screen: 'Screen share',
  broadcast: 'OBS broadcast',
  speaker: 'Speaker',
};

export interface StageBarProps {
  stage: StageState;
  follow: FollowState;
  dispatch: (a: FollowAction) => void;
  source: StageSource;
  myUserId: string | null;
  /** A teacher, or the student a teacher allowed. */
  mayPresent: boolean;
  present: (content: StageContent | null) => void;
}

/** Above the stage: what is on it, following the presenter, presenting, and picking a view. */
export function StageBar(p: StageBarProps) {
  const presented = p.stage.content;
  const presenter = p.stage.presenter;
  const mine = presenter !== null && presenter.userId === p.myUserId;
  const pick = p.follow.choice === 'auto' && p.follow.following ? 'auto' : p.source;
  return (
    <Box
      data-testid="stage-bar"
      sx={{ display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: 1, minWidth: 0 }}
    >
      {presented && presenter ? (
        <Chip
          color="primary"
          size="small"
          data-testid="stage-presenting"
          label={
            mine
              ? `You present the ${sourceNames[presented].toLowerCase()}`
              : `${presenter.name} presents the ${sourceNames[presented].toLowerCase()}`
          }
          sx={{ maxWidth: '100%' }}
        />
      ) : null}
      {presented && presenter && !mine && (
        <Button
          size="small"
          variant={p.follow.following ? 'outlined' : 'contained'}
          data-testid="follow-toggle"
          data-following={String(p.follow.following)}
          onClick={() => p.dispatch({ type: p.follow.following ? 'stop' : 'follow' })}
        >
          {p.follow.following ? 'Stop following' : `Follow ${presenter.name}`}
        </Button>
      )}
      {p.mayPresent && (
        <>
          {(['board', 'notes'] as const).map((c) =>
            mine && presented === c ? null : (
              <Button
                key={c}
                size="small"
                data-testid={`present-${c}`}
                onClick={() => p.present(c)}
              >
                Present {c === 'board' ? 'whiteboard' : 'notes'}
              </Button>
            ),
          )}
          {mine && (
            <Button
              size="small"
              color="warning"
              data-testid="stop-presenting"
              onClick={() => p.present(null)}
            >
              Stop presenting
            </Button>
          )}
        </>
      )}
      <Box sx={{ flex: 1 }} />
      <ToggleButtonGroup
        size="small"
        exclusive
        value={pick}
        aria-label="What the stage shows"
        onChange={(_e, v: StageSource | 'auto' | null) => {
          if (!v) return;
          if (v === 'auto') p.dispatch({ type: 'follow' });
          else p.dispatch({ type: 'choose', source: v });
        }}
      >
        <ToggleButton
          value="auto"
          data-testid="stage-pick-auto"
          aria-label="Automatic: what is presented"
        >
          Auto
        </ToggleButton>
        <ToggleButton value="board" data-testid="stage-pick-board">
          Board
        </ToggleButton>
        <ToggleButton value="notes" data-testid="stage-pick-notes">
          Notes
        </ToggleButton>
        <ToggleButton value="speaker" data-testid="stage-pick-speaker">
          People
        </ToggleButton>
      </ToggleButtonGroup>
    </Box>
  );
}
