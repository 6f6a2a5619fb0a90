import { useEffect, useRef, useState } from 'react';
import type Hls from 'hls.js';
import type { Level } from 'hls.js';
import Box from '@mui/material/Box';
import FormControl from '@mui/material/FormControl';
import InputLabel from '@mui/material/InputLabel';
import MenuItem from '@mui/material/MenuItem';
import Select from '@mui/material/Select';
import Stack from '@mui/material/Stack';

const SPEEDS = [0.5, 0.75, 1, 1.25, 1.5, 2];
const RETRY_MS = 2000;

function levelLabel(level: Level, index: number): string {
  if (level.height) return `${level.height}p`;
  return level.name || `Level ${index + 1}`;
}

/**
 * A <video> fed by hls.js (or natively where the browser plays HLS itself). Live streams start
 * muted so autoplay is allowed; the native controls unmute and seek. A fatal error (a playlist
 * not written yet, an expired link) tears the player down and calls onFatal after a short pause:
 * the caller may hand in a freshly signed src.
 */
export function HlsPlayer({
  src,
  live,
  onFatal,
  showSpeed = false,
}: {
  src: string;
  live: boolean;
  onFatal?: () => void;
  showSpeed?: boolean;
}) {
  const videoRef = useRef<HTMLVideoElement>(null);
  const hlsRef = useRef<Hls | null>(null);
  const [levels, setLevels] = useState<Level[]>([]);
  const [level, setLevel] = useState(-1);
  const [speed, setSpeed] = useState(1);
  const [attempt, setAttempt] = useState(0);
  const onFatalRef = useRef(onFatal);
  onFatalRef.current = onFatal;

  useEffect(() => {
    const video = videoRef.current;
    if (!video) return;
    let retry: ReturnType<typeof setTimeout> | undefined;
    const fail = () => {
      clearTimeout(retry);
      retry = setTimeout(() => {
        if (onFatalRef.current) onFatalRef.current();
        else setAttempt((a) => a + 1);
      }, RETRY_MS);
    };
    let cancelled = false;
    let hls: Hls | null = null;
    // hls.js is large and only these pages need it: load it with the first player.
    void import('hls.js').then(({ default: HlsJs }) => {
      if (cancelled) return;
      if (!HlsJs.isSupported()) {
        if (video.canPlayType('application/vnd.apple.mpegurl')) {
          video.src = src;
          void video.play().catch(() => undefined);
        }
        return;
      }
      hls = start(HlsJs);
    }, fail);
    const start = (HlsJs: typeof Hls): Hls => {
      const hls = new HlsJs({
        // ffmpeg 5.1 writes no LL-HLS parts; stay a few segments behind the live edge.
        lowLatencyMode: false,
        liveSyncDurationCount: 3,
        backBufferLength: live ? 30 : 90,
      });
      hlsRef.current = hls;
      hls.on(HlsJs.Events.MANIFEST_PARSED, () => {
        setLevels([...hls.levels]);
        setLevel(-1);
        void video.play().catch(() => undefined);
      });
      hls.on(HlsJs.Events.ERROR, (_e, data) => {
        if (data.fatal) {
          hls.destroy();
          hlsRef.current = null;
          fail();
        }
      });
      hls.loadSource(src);
      hls.attachMedia(video);
      return hls;
    };
    return () => {
      cancelled = true;
      clearTimeout(retry);
      hls?.destroy();
      hlsRef.current = null;
      video.removeAttribute('src');
    };
  }, [src, live, attempt]);

  useEffect(() => {
    if (videoRef.current) videoRef.current.playbackRate = speed;
  }, [speed]);

  const chooseLevel = (value: number) => {
    setLevel(value);
    // currentLevel switches at once (flushing the buffer), which is what a viewer who picked
    // a quality expects.
    if (hlsRef.current) hlsRef.current.currentLevel = value;
  };

  return (
    <Stack spacing={1}>
      <Box
        component="video"
        ref={videoRef}
        data-testid="hls-video"
        controls
        muted={live}
        autoPlay
        playsInline
        sx={{ width: '100%', maxHeight: '70vh', bgcolor: 'black', borderRadius: 1 }}
      />
      <Stack direction="row" spacing={2} sx={{ flexWrap: 'wrap' }}>
        {levels.length > 1 && (
          <FormControl size="small" sx={{ minWidth: 140 }}>
            <InputLabel id="hls-quality-label">Quality</InputLabel>
            <Select
              labelId="hls-quality-label"
              label="Quality"
              value={level}
              data-testid="hls-quality"
              onChange={(e) => chooseLevel(Number(e.target.value))}
            >
              <MenuItem value={-1}>Auto</MenuItem>
              {levels.map((l, i) => (
                <MenuItem key={i} value={i}>
                  {levelLabel(l, i)}
                </MenuItem>
              ))}
            </Select>
          </FormControl>
        )}
        {showSpeed && (
          <FormControl size="small" sx={{ minWidth: 120 }}>
            <InputLabel id="hls-speed-label">Speed</InputLabel>
            <Select
              labelId="hls-speed-label"
              label="Speed"
              value={speed}
              data-testid="hls-speed"
              onChange={(e) => setSpeed(Number(e.target.value))}
            >
              {SPEEDS.map((s) => (
                <MenuItem key={s} value={s}>
                  {s}×
                </MenuItem>
              ))}
            </Select>
          </FormControl>
        )}
      </Stack>
    </Stack>
  );
}
