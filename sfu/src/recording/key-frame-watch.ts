/**
 * When a recorded video track needs a key frame beyond the regular one at each segment: after
 * packet loss. The recorder's ffmpeg sends no PLI of its own, so a frame lost on the way in
 * (the sender's link to the SFU) would leave the file undecodable until the next key frame;
 * a drop in the producer's score is the SFU's sign of that loss.
 */
export class KeyFrameWatch {
  private last: number | null = null;

  /**
   * Takes the producer's current score (0–10, or undefined when unknown) and tells whether to
   * ask for a key frame now: when it fell since the last look.
   */
  afterScore(score: number | undefined): boolean {
    if (score === undefined) return false;
    const fell = this.last !== null && score < this.last;
    this.last = score;
    return fell;
  }
}
