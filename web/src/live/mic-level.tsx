import LinearProgress from '@mui/material/LinearProgress';
import { useEffect, useState } from 'react';

/** A live input level bar, so people see their microphone works before they join. */
export function MicLevel({ track }: { track: MediaStreamTrack | null }) {
  const [level, setLevel] = useState(0);
  useEffect(() => {
    if (!track) return;
    const ctx = new AudioContext();
    const source = ctx.createMediaStreamSource(new MediaStream([track]));
    const analyser = ctx.createAnalyser();
    analyser.fftSize = 512;
    source.connect(analyser);
    const data = new Uint8Array(analyser.fftSize);
    let frame = 0;
    const tick = () => {
      analyser.getByteTimeDomainData(data);
      let peak = 0;
      for (const v of data) peak = Math.max(peak, Math.abs(v - 128));
      setLevel(Math.min(100, (peak / 128) * 200));
      frame = requestAnimationFrame(tick);
    };
    tick();
    return () => {
      cancelAnimationFrame(frame);
      void ctx.close();
    };
  }, [track]);
  return (
    <LinearProgress
      variant="determinate"
      value={track ? level : 0}
      aria-label="Microphone level"
      data-testid="mic-level"
      sx={{ height: 8, borderRadius: 4 }}
    />
  );
}
