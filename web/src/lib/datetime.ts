/** Conversions between the API's ISO instants and `<input type="datetime-local">` values. */

const pad = (n: number) => String(n).padStart(2, '0');

/** ISO instant → `YYYY-MM-DDTHH:mm` in the browser's time zone ('' for none). */
export function isoToLocalInput(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}` +
    `T${pad(d.getHours())}:${pad(d.getMinutes())}`
  );
}

/** `datetime-local` value (local wall time) → ISO instant; '' → null; unreadable → undefined. */
export function localInputToIso(value: string): string | null | undefined {
  if (!value.trim()) return null;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(value.trim())) return undefined;
  // A date-time without an offset is read as local time (ECMAScript Date Time String Format).
  const date = new Date(value.trim());
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** A human sentence for a class's schedule, in the browser's locale and time zone. */
export function formatSchedule(
  start: string | null,
  end: string | null,
  locale?: string,
  timeZone?: string,
): string {
  if (!start && !end) return 'Not scheduled';
  const dateTime = new Intl.DateTimeFormat(locale, {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone,
  });
  const time = new Intl.DateTimeFormat(locale, { timeStyle: 'short', timeZone });
  const day = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone });
  if (start && end) {
    const s = new Date(start);
    const e = new Date(end);
    const sameDay = day.format(s) === day.format(e);
    return `${dateTime.format(s)} – ${sameDay ? time.format(e) : dateTime.format(e)}`;
  }
  if (start) return `Starts ${dateTime.format(new Date(start))}`;
  return `Ends ${dateTime.format(new Date(end as string))}`;
}
