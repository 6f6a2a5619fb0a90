import MicIcon from '@mui/icons-material/Mic';
import MicOffIcon from '@mui/icons-material/MicOff';
import PanToolIcon from '@mui/icons-material/PanTool';
import VideocamIcon from '@mui/icons-material/Videocam';
import VideocamOffIcon from '@mui/icons-material/VideocamOff';
import Box from '@mui/material/Box';
import Chip from '@mui/material/Chip';
import Typography from '@mui/material/Typography';
import type { PeerInfo } from '@educloud/protocol';
import type { ReactNode } from 'react';

/** One line of the participants list: name, role, microphone, camera, hand and its place. */
export function ParticipantRow({
  info,
  label,
  micOn,
  cameraOn,
  handPlace,
  actions,
}: {
  info: PeerInfo;
  label: string;
  micOn: boolean;
  cameraOn: boolean;
  handPlace: number | undefined;
  actions?: ReactNode;
}) {
  const micText = info.forcedMute
    ? 'Muted by the teacher'
    : micOn
      ? 'Microphone on'
      : 'Microphone off';
  return (
    <Box
      component="li"
      data-testid={`participant-${info.name}`}
      data-hand={handPlace ?? ''}
      data-forced-mute={info.forcedMute ? 'true' : 'false'}
      sx={{ listStyle: 'none', display: 'flex', alignItems: 'center', gap: 1, py: 0.5 }}
    >
      <Box sx={{ flex: 1, minWidth: 0 }}>
        <Typography variant="body2" noWrap component="span" sx={{ mr: 0.5 }}>
          {label}
        </Typography>
        {info.role === 'teacher' && <Chip size="small" label="Teacher" />}
      </Box>
      {handPlace !== undefined && (
        <Chip
          size="small"
          color="warning"
          icon={<PanToolIcon aria-hidden />}
          label={`#${handPlace}`}
          aria-label={`Hand raised, number ${handPlace} in the queue`}
          data-testid="hand-place"
        />
      )}
      <Box
        component="span"
        role="img"
        aria-label={micText}
        title={micText}
        sx={{ display: 'inline-flex', color: info.forcedMute ? 'error.main' : 'text.secondary' }}
      >
        {micOn ? <MicIcon fontSize="small" /> : <MicOffIcon fontSize="small" />}
      </Box>
      <Box
        component="span"
        role="img"
        aria-label={cameraOn ? 'Camera on' : 'Camera off'}
        title={cameraOn ? 'Camera on' : 'Camera off'}
        sx={{ display: 'inline-flex', color: 'text.secondary' }}
      >
        {cameraOn ? <VideocamIcon fontSize="small" /> : <VideocamOffIcon fontSize="small" />}
      </Box>
      {actions}
    </Box>
  );
}
