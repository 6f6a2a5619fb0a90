import { useSyncExternalStore } from 'react';
import type { QualityStore } from './quality-store.js';
import type { SpeakerStore } from './speaker-store.js';

/** Renders again only when `peerId` starts or stops being the active speaker. */
export function useSpeaking(store: SpeakerStore, peerId: string | null): boolean {
  return useSyncExternalStore(store.subscribe, () => store.isSpeaking(peerId));
}

/** Renders again only when last-N holds back or sends `peerId`'s camera (false: no peer). */
export function useVideoHeld(store: SpeakerStore, peerId: string | null): boolean {
  return useSyncExternalStore(store.subscribe, () =>
    peerId === null ? false : store.isVideoHeld(peerId),
  );
}

export function useActiveSpeaker(store: SpeakerStore): string | null {
  return useSyncExternalStore(store.subscribe, () => store.snapshot().active);
}

export function useRecentSpeakers(store: SpeakerStore): readonly string[] {
  return useSyncExternalStore(store.subscribe, () => store.snapshot().recent);
}

/** Renders again only when this peer's score changes (null: the send side). */
export function useQuality(store: QualityStore, peerId: string | null): number | null {
  return useSyncExternalStore(store.subscribe, () =>
    peerId === null ? store.send() : store.peer(peerId),
  );
}
