import { useEffect, useRef } from 'react';

/** Renders one video track; reports its rendered width so the SFU can pick a layer. */
export function TrackVideo({
  track,
  muted = true,
  mirror = false,
  onWidth,
  testId,
  fit = 'cover',
}: {
  track: MediaStreamTrack;
  /** 'contain' on the stage: a shared screen or a broadcast must not be cropped. */
  fit?: 'cover' | 'contain';
  muted?: boolean;
  mirror?: boolean;
  /** The rendered width, then null when it stops (unmounted, or another callback took over). */
  onWidth?: (width: number | null) => void;
  testId?: string;
}) {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.srcObject = new MediaStream([track]);
    void el.play().catch(() => undefined);
    return () => {
      el.srcObject = null;
    };
  }, [track]);
  useEffect(() => {
    const el = ref.current;
    if (!el || !onWidth) return;
    const observer = new ResizeObserver(([entry]) => {
      if (entry) onWidth(entry.contentRect.width * window.devicePixelRatio);
    });
    observer.observe(el);
    return () => {
      observer.disconnect();
      onWidth(null);
    };
  }, [onWidth]);
  return (
    <video
      ref={ref}
      autoPlay
      playsInline
      muted={muted}
      data-testid={testId}
      style={{
        width: '100%',
        height: '100%',
        objectFit: fit,
        transform: mirror ? 'scaleX(-1)' : undefined,
        background: '#111',
        display: 'block',
      }}
    />
  );
}

/** Plays a remote audio track; an <audio> element is needed or Chromium decodes nothing. */
export function TrackAudio({ track }: { track: MediaStreamTrack }) {
  const ref = useRef<HTMLAudioElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.srcObject = new MediaStream([track]);
    void el.play().catch(() => undefined);
  }, [track]);
  return <audio ref={ref} autoPlay />;
}
