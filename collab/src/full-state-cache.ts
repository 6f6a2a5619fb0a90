import type * as Y from 'yjs';
import { encodeSyncStep2, encodeSyncStep2Update } from './messages.js';

/** Re-encode once the updates kept since the snapshot weigh this share of it (or this many). */
const MAX_TAIL_SHARE = 0.25;
const MAX_TAIL_UPDATES = 256;
const EMPTY_STATE_VECTOR = new Uint8Array([0]);

/**
 * The sync answer for clients that hold nothing yet: the document's state encoded once (a sync
 * step 2 frame) followed by the update frames applied since, which the client applies in order.
 * Encoding again happens only when that tail has grown, so clients opening a big document
 * together, or one after the other, share one encoding.
 */
export class FullStateCache {
  private snapshot: Uint8Array | undefined;
  private tail: Uint8Array[] = [];
  private tailBytes = 0;

  constructor(private readonly doc: Y.Doc) {}

  /** `update` holds the whole document as it is now (the merged stored state just loaded). */
  seed(update: Uint8Array): void {
    this.clear();
    this.snapshot = encodeSyncStep2Update(update);
  }

  /** An update frame was applied to the document (and sent to the connected clients). */
  applied(frame: Uint8Array): void {
    if (!this.snapshot) return;
    this.tail.push(frame);
    this.tailBytes += frame.byteLength;
    if (
      this.tail.length > MAX_TAIL_UPDATES ||
      this.tailBytes > this.snapshot.byteLength * MAX_TAIL_SHARE
    ) {
      this.clear();
    }
  }

  /** Frames that bring an empty document to the current state; `hit`: no encoding needed. */
  frames(): { frames: Uint8Array[]; hit: boolean } {
    if (this.snapshot) return { frames: [this.snapshot, ...this.tail], hit: true };
    this.snapshot = encodeSyncStep2(this.doc, EMPTY_STATE_VECTOR);
    return { frames: [this.snapshot], hit: false };
  }

  clear(): void {
    this.snapshot = undefined;
    this.tail = [];
    this.tailBytes = 0;
  }
}
