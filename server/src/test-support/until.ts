/** Polls `fn` every 250 ms until it returns something truthy (returned), failing after `ms`. */
export async function until<T>(
  fn: () => Promise<T | null | undefined | false>,
  ms: number,
  what: string,
) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
