/** What decides whose camera one viewer receives. */
export interface LastNInputs {
  viewer: string;
  /** Peers publishing a camera, in the order they started (fills last-N before anyone spoke). */
  cameraPeers: readonly string[];
  /** Dominant speakers, most recent first. */
  speakers: readonly string[];
  /** Always received (the teachers). */
  pinned: ReadonlySet<string>;
  /** Tiles the viewer has on screen. */
  visible: ReadonlySet<string>;
  /** How many speakers besides the pinned and visible ones; 'off' receives every camera. */
  lastN: number | 'off';
}

/**
 * The peers whose camera video `viewer` receives: the pinned ones, the visible ones, and the
 * `lastN` most recent speakers among the others (peers that never spoke, in arrival order,
 * fill what is left), as Jitsi's last-N does.
 */
export function selectCameraPeers(i: LastNInputs): Set<string> {
  const cams = i.cameraPeers.filter((p) => p !== i.viewer);
  if (i.lastN === 'off') return new Set(cams);
  const selected = new Set(cams.filter((p) => i.pinned.has(p) || i.visible.has(p)));
  const publishing = new Set(cams);
  const ranked = [
    ...i.speakers.filter((p) => publishing.has(p)),
    ...cams.filter((p) => !i.speakers.includes(p)),
  ];
  let left = i.lastN;
  for (const p of ranked) {
    if (left <= 0) break;
    if (selected.has(p)) continue;
    selected.add(p);
    left--;
  }
  return selected;
}
