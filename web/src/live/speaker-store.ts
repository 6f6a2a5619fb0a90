/** Who speaks, and whose camera last-N sends this browser. */
export interface SpeakerSnapshot {
  active: string | null;
  /** Active speakers, most recent first (the loudest few's microphones may be all it plays). */
  recent: readonly string[];
  /** Whose camera the server sends us (last-N); null until it says (then none is held). */
  videoPeers: ReadonlySet<string> | null;
}

const initial: SpeakerSnapshot = { active: null, recent: [], videoPeers: null };

/**
 * The speaker news of a session, apart from the room's snapshot: a speaker switch (the active
 * speaker and last-N's new selection) re-renders only the tiles and the stage that read it,
 * not the whole room, whose render on a busy page held the new speaker's video back.
 */
export class SpeakerStore {
  private state = initial;
  private readonly listeners = new Set<() => void>();

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly snapshot = (): SpeakerSnapshot => this.state;

  isSpeaking(peerId: string | null): boolean {
    return peerId !== null && this.state.active === peerId;
  }

  /** Last-N holds the peer's camera back from this browser: its tile shows name and avatar. */
  isVideoHeld(peerId: string): boolean {
    return this.state.videoPeers !== null && !this.state.videoPeers.has(peerId);
  }

  /** The server's active speaker (null: nobody). Identical news changes nothing. */
  heard(peerId: string | null): void {
    if (peerId === this.state.active) return;
    if (peerId === null) return this.set({ active: null });
    const recent = this.state.recent.filter((p) => p !== peerId);
    this.set({ active: peerId, recent: [peerId, ...recent].slice(0, 16) });
  }

  /** Last-N's selection for this browser (null: not told, e.g. after leaving). */
  selected(peerIds: readonly string[] | null): void {
    const next = peerIds === null ? null : new Set(peerIds);
    const now = this.state.videoPeers;
    if (next === now) return;
    if (next && now && next.size === now.size && [...next].every((p) => now.has(p))) return;
    this.set({ videoPeers: next });
  }

  private set(patch: Partial<SpeakerSnapshot>): void {
    this.state = { ...this.state, ...patch };
    for (const l of this.listeners) l();
  }
}
