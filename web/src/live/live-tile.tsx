import MicOffIcon from '@mui/icons-material/MicOff';
import PanToolIcon from '@mui/icons-material/PanTool';
import SignalCellularAltIcon from '@mui/icons-material/SignalCellularAlt';
import Box from '@mui/material/Box';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import { useCallback, useId, type ReactNode } from 'react';
import { TrackVideo } from './track-video.js';

export interface TileProps {
  name: string;
  role: 'teacher' | 'student';
  video: { track: MediaStreamTrack; consumerId?: string } | null;
  audioMuted: boolean;
  speaking: boolean;
  handRaised: boolean;
  quality: number | null;
  mirror?: boolean;
  testId: string;
  /** Fill the parent (the stage) instead of a 16:9 box as wide as the parent. */
  fill?: boolean;
  /** Controls drawn over the tile's top-right corner (pin, moderation). */
  actions?: ReactNode;
  /** The video's width (null: no longer drawn), `view` naming this tile. */
  onWidth?: (consumerId: string, width: number | null, view: string) => void;
}

function qualityLabel(q: number | null) {
  if (q === null) return { color: 'grey.500', text: 'Measuring connection…' };
  if (q >= 8) return { color: 'success.main', text: 'Good connection' };
  if (q >= 5) return { color: 'warning.main', text: 'Unstable connection' };
  return { color: 'error.main', text: 'Poor connection' };
}

/** One participant: video (or initials), name, role, speaking ring, hand, network quality. */
export function LiveTile(p: TileProps) {
  const q = qualityLabel(p.quality);
  const consumerId = p.video?.consumerId;
  const { onWidth } = p;
  const view = useId();
  // Stable across renders: a new callback would make the video observe its size again.
  const reportWidth = useCallback(
    (w: number | null) => {
      if (consumerId) onWidth?.(consumerId, w, view);
    },
    [consumerId, onWidth, view],
  );
  return (
    <Box
      data-testid={p.testId}
      data-speaking={p.speaking ? 'true' : 'false'}
      sx={{
        position: 'relative',
        ...(p.fill ? { width: '100%', height: '100%' } : { aspectRatio: '16 / 9' }),
        borderRadius: 1,
        overflow: 'hidden',
        bgcolor: '#1e1e1e',
        outline: p.speaking ? '3px solid' : 'none',
        outlineColor: 'success.main',
      }}
    >
      {p.video ? (
        <TrackVideo
          track={p.video.track}
          mirror={p.mirror}
          fit={p.fill ? 'contain' : 'cover'}
          onWidth={consumerId && onWidth ? reportWidth : undefined}
        />
      ) : (
        <Box sx={{ height: '100%', display: 'grid', placeItems: 'center' }}>
          <Typography
            variant="h3"
            sx={{ color: 'grey.400', fontSize: { xs: '1.5rem', md: '2.5rem' } }}
          >
            {p.name.slice(0, 1).toUpperCase()}
          </Typography>
        </Box>
      )}
      <Box
        sx={{
          position: 'absolute',
          left: 0,
          right: 0,
          bottom: 0,
          px: 1,
          py: 0.5,
          display: 'flex',
          alignItems: 'center',
          gap: 0.5,
          color: 'common.white',
          background: 'linear-gradient(transparent, rgba(0,0,0,.7))',
        }}
      >
        <Typography variant="body2" noWrap sx={{ flex: 1 }}>
          {p.name}
          {p.role === 'teacher' ? ' · Teacher' : ''}
        </Typography>
        {p.handRaised && <PanToolIcon fontSize="small" aria-label="Hand raised" />}
        {p.audioMuted && <MicOffIcon fontSize="small" aria-label="Microphone off" />}
        <Tooltip title={q.text}>
          <SignalCellularAltIcon fontSize="small" sx={{ color: q.color }} aria-label={q.text} />
        </Tooltip>
      </Box>
      {p.actions && (
        <Box sx={{ position: 'absolute', top: 4, right: 4, display: 'flex', gap: 0.5 }}>
          {p.actions}
        </Box>
      )}
    </Box>
  );
}
