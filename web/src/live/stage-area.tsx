import Box from '@mui/material/Box';
import Skeleton from '@mui/material/Skeleton';
import Typography from '@mui/material/Typography';
import { lazy, Suspense } from 'react';
import type { StageView } from '@educloud/protocol';
import type { LiveSnapshot, RemotePeer } from './live-session.js';
import { LiveTile } from './live-tile.js';
import { peerVideo } from './participant-tiles.js';
import type { SpeakerStore } from './speaker-store.js';
import type { QualityStore } from './quality-store.js';
import { useActiveSpeaker, useQuality, useVideoHeld } from './use-speakers.js';
import type { StageSource } from './stage-follow.js';
import { TrackVideo } from './track-video.js';

// The same chunk the class page starts loading as it opens (class-page.tsx).
const StageCollab = lazy(() => import('../collab/stage-collab.js'));

export interface StageAreaProps {
  classId: string;
  isTeacher: boolean;
  source: StageSource;
  state: LiveSnapshot;
  /** The speaker view shows the pinned peer, else the active speaker, else a teacher. */
  pinned: string | null;
  /** Read by the speaker view alone: a speaker switch renders it, not the whole room. */
  speakers: SpeakerStore;
  qualities: QualityStore;
  presentingBoard: boolean;
  /** False while the stage itself is hidden (gallery view): the board pauses. */
  visible: boolean;
  followView: StageView | null;
  onView: (view: StageView) => void;
  onWidth: (consumerId: string, width: number | null, view: string) => void;
}

/** What fills the stage: the board or notes (always mounted), a screen, the broadcast, a person. */
export function StageArea(p: StageAreaProps) {
  const screen = p.state.peers
    .flatMap((peer) =>
      peer.tracks
        .filter((t) => t.source === 'screen' && t.kind === 'video')
        .map((t) => ({ peer, t })),
    )
    .at(0);
  const broadcast = p.state.peers
    .flatMap((peer) =>
      peer.tracks
        .filter((t) => t.source === 'ingest' && t.kind === 'video')
        .map((t) => ({ peer, t })),
    )
    .at(0);
  const collabShown = p.source === 'board' || p.source === 'notes' ? p.source : null;

  return (
    <Box
      data-testid="stage"
      data-source={p.source}
      sx={{
        position: 'relative',
        flex: 1,
        minHeight: 0,
        minWidth: 0,
        borderRadius: 1,
        overflow: 'hidden',
      }}
    >
      <Box
        sx={{
          position: 'absolute',
          inset: 0,
          display: collabShown ? 'block' : 'none',
          bgcolor: 'background.paper',
        }}
      >
        <Suspense
          fallback={<Skeleton variant="rounded" height="100%" data-testid="stage-loading" />}
        >
          <StageCollab
            classId={p.classId}
            isTeacher={p.isTeacher}
            show={collabShown}
            presentingBoard={p.presentingBoard}
            visible={p.visible}
            onView={p.onView}
            followView={p.followView}
          />
        </Suspense>
      </Box>
      {p.source === 'screen' && screen && (
        <VideoStage
          testId="screen-stage"
          caption={`${screen.peer.info.name} is sharing their screen`}
          track={screen.t.track}
          videoTestId="screen-video"
          onWidth={(w) => p.onWidth(screen.t.consumerId, w, 'stage')}
        />
      )}
      {p.source === 'broadcast' && broadcast && (
        <VideoStage
          testId="broadcast-stage"
          caption={`${broadcast.peer.info.name}: the class's OBS broadcast`}
          track={broadcast.t.track}
          onWidth={(w) => p.onWidth(broadcast.t.consumerId, w, 'stage')}
        />
      )}
      {(p.source === 'speaker' ||
        (p.source === 'screen' && !screen) ||
        (p.source === 'broadcast' && !broadcast)) && <SpeakerStage {...p} />}
    </Box>
  );
}

function VideoStage(props: {
  testId: string;
  caption: string;
  track: MediaStreamTrack;
  videoTestId?: string;
  onWidth: (w: number | null) => void;
}) {
  return (
    <Box data-testid={props.testId} sx={{ position: 'absolute', inset: 0, bgcolor: '#000' }}>
      <TrackVideo
        track={props.track}
        fit="contain"
        onWidth={props.onWidth}
        testId={props.videoTestId}
      />
      <Typography
        variant="caption"
        sx={{
          position: 'absolute',
          left: 8,
          bottom: 4,
          color: 'grey.300',
          bgcolor: 'rgba(0,0,0,.5)',
          px: 0.5,
        }}
      >
        {props.caption}
      </Typography>
    </Box>
  );
}

/** Who the speaker view puts on stage: the pinned peer, the active speaker, else a teacher. */
function speakerOf(
  peers: readonly RemotePeer[],
  pinned: string | null,
  active: string | null,
): RemotePeer | null {
  const byId = (id: string | null) => peers.find((p) => p.info.peerId === id) ?? null;
  return (
    byId(pinned) ?? byId(active) ?? peers.find((p) => p.info.role === 'teacher') ?? peers[0] ?? null
  );
}

function SpeakerStage({ state, pinned, speakers, qualities, onWidth, visible }: StageAreaProps) {
  const active = useActiveSpeaker(speakers);
  const speaker = speakerOf(state.peers, pinned, active);
  const held = useVideoHeld(speakers, speaker?.info.peerId ?? null);
  // The send side's score stands in for nobody's (null peer): unused then.
  const quality = useQuality(qualities, speaker?.info.peerId ?? null);
  if (!speaker) {
    return (
      <Box
        data-testid="stage-speaker"
        sx={{
          position: 'absolute',
          inset: 0,
          display: 'grid',
          placeItems: 'center',
          bgcolor: '#1e1e1e',
        }}
      >
        <Typography sx={{ color: 'grey.400', px: 2, textAlign: 'center' }}>
          Nobody else is here yet. The teacher can put the whiteboard or the notes on stage.
        </Typography>
      </Box>
    );
  }
  // A hidden stage (gallery view) draws no video.
  const cam = visible ? peerVideo(speaker, held) : undefined;
  const mic = speaker.tracks.find((t) => t.source === 'mic');
  return (
    <Box sx={{ position: 'absolute', inset: 0 }}>
      <LiveTile
        fill
        testId="stage-speaker"
        name={speaker.info.name}
        role={speaker.info.role}
        video={cam ? { track: cam.track, consumerId: cam.consumerId } : null}
        audioMuted={!mic || mic.paused}
        speaking={active === speaker.info.peerId}
        handRaised={speaker.info.handRaised}
        quality={quality}
        onWidth={onWidth}
      />
    </Box>
  );
}
