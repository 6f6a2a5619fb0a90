/** `1:02:03` or `2:03`. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return '–';
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

export function formatBytes(n: number | null): string {
  if (n === null) return '–';
  if (n < 1024 * 1024) return `${Math.max(1, Math.round(n / 1024))} KB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(2)} GB`;
}

export function formatBitrate(bps: number | null): string {
  if (bps === null) return '–';
  return bps >= 1_000_000
    ? `${(bps / 1_000_000).toFixed(1)} Mbit/s`
    : `${Math.round(bps / 1000)} kbit/s`;
}

export function formatDateTime(iso: string): string {
  return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(
    new Date(iso),
  );
}
