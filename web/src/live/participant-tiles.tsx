import CoPresentIcon from '@mui/icons-material/CoPresent';
import PushPinIcon from '@mui/icons-material/PushPin';
import PushPinOutlinedIcon from '@mui/icons-material/PushPinOutlined';
import Box from '@mui/material/Box';
import { memo, useEffect, useRef, useState } from 'react';
import IconButton from '@mui/material/IconButton';
import Tooltip from '@mui/material/Tooltip';
import type { LiveSnapshot, RemotePeer } from './live-session.js';
import { LiveTile } from './live-tile.js';
import type { SpeakerStore } from './speaker-store.js';
import type { QualityStore } from './quality-store.js';
import { useQuality, useSpeaking, useVideoHeld } from './use-speakers.js';

/** Where the tiles go: a column beside the stage, a row under it (phones), or a grid. */
export type TileLayout = 'column' | 'row' | 'grid';

export interface TilesProps {
  state: LiveSnapshot;
  /** Who speaks and whose camera last-N sends: each tile reads its own. */
  speakers: SpeakerStore;
  qualities: QualityStore;
  layout: TileLayout;
  pinned: string | null;
  onPin: (peerId: string | null) => void;
  onWidth: (consumerId: string, width: number | null, view: string) => void;
  /** Grid: told which peers' tiles are on screen (their cameras flow beyond last-N). */
  onVisible?: (peerIds: string[]) => void;
  /** Teachers: who may present besides them, and how to change it. */
  presenterControl: { allowedUserId: string | null; allow: (userId: string | null) => void } | null;
}

const layoutSx = {
  column: {
    display: 'flex',
    flexDirection: 'column',
    gap: 1,
    overflowY: 'auto',
    width: 220,
    flexShrink: 0,
  },
  row: {
    display: 'flex',
    flexDirection: 'row',
    gap: 1,
    overflowX: 'auto',
    flexShrink: 0,
    '& > *': { width: 132, flexShrink: 0 },
  },
  grid: {
    display: 'grid',
    gap: 1,
    gridTemplateColumns: 'repeat(auto-fill, minmax(min(240px, 100%), 1fr))',
    alignContent: 'start',
    overflowY: 'auto',
    flex: 1,
    minHeight: 0,
  },
} as const;

/** Everyone in the class as tiles (teachers first, then you), each with pin and presenter buttons. */
export function ParticipantTiles(p: TilesProps) {
  const { state } = p;
  const teacherFirst = [...state.peers].sort(
    (a, b) => Number(b.info.role === 'teacher') - Number(a.info.role === 'teacher'),
  );
  const camOn = !!state.local.camera && !state.localPaused.camera;
  const micOn = !!state.local.mic && !state.localPaused.mic;
  const { ref: listRef, onScreen } = useVisibleTiles(
    p.onVisible,
    teacherFirst.map((x) => x.info.peerId).join(','),
  );
  const selfSpeaking = useSpeaking(p.speakers, state.peerId);
  const sendQuality = useQuality(p.qualities, null);
  return (
    <Box
      ref={listRef}
      data-testid="participant-tiles"
      data-layout={p.layout}
      role="list"
      aria-label="Participants"
      sx={layoutSx[p.layout]}
    >
      {teacherFirst.map((peer) => (
        <Box role="listitem" key={peer.info.peerId} data-peer-id={peer.info.peerId}>
          <PeerTile
            peer={peer}
            speakers={p.speakers}
            qualities={p.qualities}
            isPinned={p.pinned === peer.info.peerId}
            onScreen={onScreen(peer.info.peerId)}
            onPin={p.onPin}
            onWidth={p.onWidth}
            mayPresent={
              p.presenterControl ? p.presenterControl.allowedUserId === peer.info.userId : null
            }
            allowPresenter={p.presenterControl?.allow}
          />
        </Box>
      ))}
      <Box role="listitem">
        <LiveTile
          testId="tile-self"
          name="You"
          role={state.role ?? 'student'}
          video={state.local.camera && camOn ? { track: state.local.camera } : null}
          audioMuted={!micOn}
          speaking={selfSpeaking}
          handRaised={state.handRaised}
          quality={sendQuality}
          mirror
        />
      </Box>
    </Box>
  );
}

/**
 * Which peers' tiles intersect the list's visible area, as that changes: a tile scrolled out of
 * the list (or in a hidden list) draws no video, and in the grid `onVisible` tells the server,
 * whose last-N then sends those cameras too.
 */
function useVisibleTiles(onVisible: ((peerIds: string[]) => void) | undefined, peers: string) {
  const ref = useRef<HTMLDivElement>(null);
  // Null until the first report: a tile draws its video until told it is off screen.
  const [shown, setShown] = useState<ReadonlySet<string> | null>(null);
  useEffect(() => {
    const list = ref.current;
    if (!list) return;
    const current = new Set<string>();
    const observer = new IntersectionObserver(
      (entries) => {
        for (const e of entries) {
          const id = (e.target as HTMLElement).dataset.peerId!;
          if (e.isIntersecting) current.add(id);
          else current.delete(id);
        }
        setShown(new Set(current));
        onVisible?.([...current]);
      },
      { root: list },
    );
    list.querySelectorAll<HTMLElement>('[data-peer-id]').forEach((el) => observer.observe(el));
    return () => observer.disconnect();
  }, [onVisible, peers]);
  return { ref, onScreen: (peerId: string) => shown === null || shown.has(peerId) };
}

/** The camera (or OBS broadcast) track a peer's tile shows. */
export function peerVideo(peer: RemotePeer, videoHeld: boolean) {
  return peer.tracks.find(
    (t) =>
      ((t.source === 'camera' && !videoHeld) || t.source === 'ingest') &&
      t.kind === 'video' &&
      !t.paused,
  );
}

interface PeerTileProps {
  peer: RemotePeer;
  /** The tile reads whether its peer speaks and whether last-N holds its camera back. */
  speakers: SpeakerStore;
  qualities: QualityStore;
  isPinned: boolean;
  /** Off screen: name and avatar only, no video drawn. */
  onScreen: boolean;
  onPin: (peerId: string | null) => void;
  onWidth: (consumerId: string, width: number | null, view: string) => void;
  /** Teachers: whether this student may present; null for students. */
  mayPresent: boolean | null;
  allowPresenter: ((userId: string | null) => void) | undefined;
}

/** The tracks' identity and state, which is all a tile shows of them. */
const tracksKey = (peer: RemotePeer) =>
  peer.tracks.map((t) => `${t.consumerId}:${String(t.paused)}`).join(',');

/**
 * Re-rendered only when what it shows changes: the room renders on every snapshot (an active
 * speaker, a chat message), and a class's tiles (tooltips, buttons) are most of that render.
 */
const PeerTile = memo(PeerTileView, (a, b) => {
  const same = (k: keyof PeerTileProps) => a[k] === b[k];
  return (
    same('speakers') &&
    same('isPinned') &&
    same('onScreen') &&
    same('onPin') &&
    same('onWidth') &&
    same('mayPresent') &&
    (a.mayPresent === null || same('allowPresenter')) &&
    a.peer.info === b.peer.info &&
    same('qualities') &&
    tracksKey(a.peer) === tracksKey(b.peer)
  );
});

function PeerTileView({
  peer,
  speakers,
  qualities,
  isPinned,
  onScreen,
  onPin,
  onWidth,
  mayPresent,
  allowPresenter,
}: PeerTileProps) {
  const { name, peerId, userId, role } = peer.info;
  const speaking = useSpeaking(speakers, peerId);
  const held = useVideoHeld(speakers, peerId);
  const quality = useQuality(qualities, peerId);
  const cam = onScreen ? peerVideo(peer, held) : undefined;
  const mic = peer.tracks.find((t) => t.source === 'mic');
  return (
    <LiveTile
      testId={`tile-${name}`}
      name={name}
      role={role}
      video={cam ? { track: cam.track, consumerId: cam.consumerId } : null}
      audioMuted={!mic || mic.paused}
      speaking={speaking}
      handRaised={peer.info.handRaised}
      quality={quality}
      onWidth={onWidth}
      actions={
        <>
          <Tooltip title={isPinned ? `Unpin ${name}` : `Pin ${name} to the stage`}>
            <IconButton
              size="small"
              aria-label={isPinned ? `Unpin ${name}` : `Pin ${name} to the stage`}
              aria-pressed={isPinned}
              data-testid={`pin-${name}`}
              onClick={() => onPin(isPinned ? null : peerId)}
              sx={tileButtonSx}
            >
              {isPinned ? (
                <PushPinIcon fontSize="small" />
              ) : (
                <PushPinOutlinedIcon fontSize="small" />
              )}
            </IconButton>
          </Tooltip>
          {allowPresenter && mayPresent !== null && role === 'student' && (
            <Tooltip title={mayPresent ? `Stop ${name} presenting` : `Let ${name} present`}>
              <IconButton
                size="small"
                aria-label={mayPresent ? `Stop ${name} presenting` : `Let ${name} present`}
                aria-pressed={mayPresent}
                data-testid={`allow-present-${name}`}
                onClick={() => allowPresenter(mayPresent ? null : userId)}
                sx={{ ...tileButtonSx, ...(mayPresent ? { color: 'warning.light' } : {}) }}
              >
                <CoPresentIcon fontSize="small" />
              </IconButton>
            </Tooltip>
          )}
        </>
      }
    />
  );
}

const tileButtonSx = {
  bgcolor: 'rgba(0,0,0,.55)',
  color: 'common.white',
  '&:hover': { bgcolor: 'rgba(0,0,0,.75)' },
} as const;
