/**
 * When to refresh an access token. Times are local-clock milliseconds: the client converts the
 * server's expiry with the clock offset it measured, so a wrong local clock does not cause a
 * refresh storm or a stream of expired tokens.
 */

/** A request is not sent with a token that expires within this window: refresh first. */
export const EXPIRY_SAFETY_MS = 15_000;
/** Lower bound for a scheduled refresh, so that an odd expiry never makes a tight loop. */
export const MIN_REFRESH_DELAY_MS = 5_000;
const MAX_LEAD_MS = 60_000;
// setTimeout stores its delay in a signed 32-bit integer.
const MAX_TIMER_MS = 2_147_483_647;

/** Milliseconds from `now` until the proactive refresh should run. */
export function refreshDelayMs(expiresAtMs: number, nowMs: number): number {
  const remaining = expiresAtMs - nowMs;
  // Refresh a minute early, or a fifth of the remaining time for short-lived tokens.
  const lead = Math.min(MAX_LEAD_MS, Math.max(0, remaining) / 5);
  const delay = Math.max(MIN_REFRESH_DELAY_MS, remaining - lead);
  return Math.min(delay, MAX_TIMER_MS);
}

export function expiresSoon(expiresAtMs: number, nowMs: number): boolean {
  return expiresAtMs - nowMs <= EXPIRY_SAFETY_MS;
}

/**
 * The server's clock minus ours, from an HTTP Date header (second resolution, good enough for
 * tokens that live minutes). 0 when the header is missing or unreadable.
 */
export function clockOffsetMs(dateHeader: string | null, localNowMs: number): number {
  if (!dateHeader) return 0;
  const server = Date.parse(dateHeader);
  if (Number.isNaN(server)) return 0;
  const offset = server - localNowMs;
  // Sub-second differences are header rounding, not skew.
  return Math.abs(offset) < 2_000 ? 0 : offset;
}
