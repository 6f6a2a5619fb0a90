import CallEndIcon from '@mui/icons-material/CallEnd';
import CameraswitchIcon from '@mui/icons-material/Cameraswitch';
import ChatIcon from '@mui/icons-material/Forum';
import FullscreenIcon from '@mui/icons-material/Fullscreen';
import FullscreenExitIcon from '@mui/icons-material/FullscreenExit';
import GridViewIcon from '@mui/icons-material/GridView';
import KeyboardIcon from '@mui/icons-material/Keyboard';
import MicIcon from '@mui/icons-material/Mic';
import MicOffIcon from '@mui/icons-material/MicOff';
import PanToolIcon from '@mui/icons-material/PanTool';
import PresentToAllIcon from '@mui/icons-material/PresentToAll';
import SpeakerIcon from '@mui/icons-material/RecentActors';
import StopScreenShareIcon from '@mui/icons-material/StopScreenShare';
import VideocamIcon from '@mui/icons-material/Videocam';
import VideocamOffIcon from '@mui/icons-material/VideocamOff';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import IconButton from '@mui/material/IconButton';
import Paper from '@mui/material/Paper';
import Tooltip from '@mui/material/Tooltip';
import type { ReactNode } from 'react';
import type { RoomControl } from './room-slots.js';

export interface ControlBarProps {
  micOn: boolean;
  hasMic: boolean;
  camOn: boolean;
  sharing: boolean;
  mayShareScreen: boolean;
  /** Null for teachers: they have no hand to raise. */
  handRaised: boolean | null;
  view: 'speaker' | 'gallery';
  panelOpen: boolean;
  fullscreen: boolean;
  /** Phones and tablets: front and back camera. */
  canSwitchCamera: boolean;
  onMic: () => void;
  onCamera: () => void;
  onSwitchCamera: () => void;
  onScreen: () => void;
  onHand: () => void;
  onView: () => void;
  onPanel: () => void;
  onFullscreen: () => void;
  onHelp: () => void;
  onLeave: () => void;
  /** Buttons other features add (room-slots.ts), before Leave. */
  extra: RoomControl[];
}

function Control(p: {
  title: string;
  testId: string;
  onClick: () => void;
  children: ReactNode;
  active?: boolean;
  color?: 'primary' | 'warning' | 'default';
  disabled?: boolean;
  pressed?: boolean;
}) {
  return (
    <Tooltip title={p.title}>
      <span>
        <IconButton
          aria-label={p.title}
          data-testid={p.testId}
          color={p.color ?? (p.active ? 'primary' : 'default')}
          disabled={p.disabled}
          onClick={p.onClick}
          {...(p.pressed === undefined ? {} : { 'aria-pressed': p.pressed })}
        >
          {p.children}
        </IconButton>
      </span>
    </Tooltip>
  );
}

/** The live room's buttons, always in view at the bottom (wrapping onto two rows on phones). */
export function ControlBar(p: ControlBarProps) {
  return (
    <Paper
      component="nav"
      id="class-controls"
      aria-label="Class controls"
      data-testid="control-bar"
      square
      sx={{
        px: 1,
        py: 0.5,
        display: 'flex',
        flexWrap: 'wrap',
        justifyContent: 'center',
        alignItems: 'center',
        gap: { xs: 0, sm: 0.5 },
        flexShrink: 0,
      }}
    >
      <Control
        title={p.micOn ? 'Mute microphone (Alt+M)' : 'Unmute microphone (Alt+M)'}
        testId="toggle-mic"
        active={p.micOn}
        disabled={!p.hasMic}
        onClick={p.onMic}
      >
        {p.micOn ? <MicIcon /> : <MicOffIcon />}
      </Control>
      <Control
        title={p.camOn ? 'Turn camera off (Alt+V)' : 'Turn camera on (Alt+V)'}
        testId="toggle-camera"
        active={p.camOn}
        onClick={p.onCamera}
      >
        {p.camOn ? <VideocamIcon /> : <VideocamOffIcon />}
      </Control>
      {p.canSwitchCamera && (
        <Control
          title="Switch between front and back camera"
          testId="switch-camera"
          onClick={p.onSwitchCamera}
        >
          <CameraswitchIcon />
        </Control>
      )}
      <Control
        title={p.sharing ? 'Stop sharing' : 'Share your screen'}
        testId="toggle-screen"
        active={p.sharing}
        disabled={!p.sharing && !p.mayShareScreen}
        onClick={p.onScreen}
      >
        {p.sharing ? <StopScreenShareIcon /> : <PresentToAllIcon />}
      </Control>
      {p.handRaised !== null && (
        <Control
          title={p.handRaised ? 'Lower your hand (Alt+H)' : 'Raise your hand (Alt+H)'}
          testId="toggle-hand"
          color={p.handRaised ? 'warning' : 'default'}
          pressed={p.handRaised}
          onClick={p.onHand}
        >
          <PanToolIcon />
        </Control>
      )}
      <Control
        title={
          p.view === 'speaker'
            ? 'Gallery view: everyone as tiles'
            : 'Speaker view: the stage and a strip'
        }
        testId="toggle-view"
        onClick={p.onView}
      >
        {p.view === 'speaker' ? <GridViewIcon /> : <SpeakerIcon />}
      </Control>
      <Control
        title={
          p.panelOpen
            ? 'Hide chat, people and polls (Alt+P)'
            : 'Show chat, people and polls (Alt+P)'
        }
        testId="toggle-panel"
        active={p.panelOpen}
        pressed={p.panelOpen}
        onClick={p.onPanel}
      >
        <ChatIcon />
      </Control>
      <Control
        title={p.fullscreen ? 'Leave full screen (Alt+F)' : 'Full screen (Alt+F)'}
        testId="toggle-fullscreen"
        onClick={p.onFullscreen}
      >
        {p.fullscreen ? <FullscreenExitIcon /> : <FullscreenIcon />}
      </Control>
      <Control title="Keyboard shortcuts (Alt+/)" testId="shortcuts-help" onClick={p.onHelp}>
        <KeyboardIcon />
      </Control>
      {/* Buttons of other features (recording, breakouts...): see room-slots.ts. */}
      {p.extra.map((c) => (
        <Box key={c.id} sx={{ display: 'contents' }}>
          {c.element}
        </Box>
      ))}
      <Button
        color="error"
        variant="contained"
        startIcon={<CallEndIcon />}
        data-testid="leave-live"
        aria-label="Leave the class (Alt+Q)"
        onClick={p.onLeave}
        sx={{ ml: { xs: 0.5, sm: 1 } }}
      >
        Leave
      </Button>
    </Paper>
  );
}
