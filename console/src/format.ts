/**
 * Times as the person reads them: in their own zone (their user's time zone, else their browser's),
 * in their language, and "in 2 h" / "3 h ago". Times they type are read in the same zone.
 */
let zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
const formatter = () => new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short', timeZone: zone });
let absolute = formatter();

/** The signed-in person's zone, where the console shows and reads times. */
export const readerZone = () => zone;
export function setReaderZone(chosen: string | undefined): void {
  if (!chosen) return;
  try {
    new Intl.DateTimeFormat(undefined, { timeZone: chosen });
  } catch {
    return; // a zone this browser does not know: keep the browser's own
  }
  zone = chosen;
  absolute = formatter();
}

export const when = (iso: string | null | undefined) => (iso ? absolute.format(new Date(iso)) : '—');

/** The wall-clock reading of an instant in a zone, as if that reading were UTC (ms). */
function wallClock(at: number, inZone: string): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone: inZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    })
      .formatToParts(new Date(at))
      .map((part) => [part.type, Number(part.value)]),
  );
  return Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
}

/** A datetime-local value ("2026-11-02T15:00") read in the person's zone, as an instant; undefined when empty. */
export function zonedInstant(local: string, inZone = zone): string | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(local);
  if (!match) return undefined;
  const [year, month, day, hour, minute] = match.slice(1).map(Number);
  const reading = Date.UTC(year, month - 1, day, hour, minute);
  // The offset at the guess, then at the answer (they differ only across a change of summer time).
  let at = reading - (wallClock(reading, inZone) - reading);
  at = reading - (wallClock(at, inZone) - at);
  return new Date(at).toISOString();
}

export function relative(iso: string, now = Date.now()): string {
  const minutes = Math.round((new Date(iso).getTime() - now) / 60_000);
  const size = Math.abs(minutes);
  const amount = size < 60 ? `${size} min` : size < 48 * 60 ? `${Math.round(size / 60)} h` : `${Math.round(size / 1440)} d`;
  return minutes >= 0 ? `in ${amount}` : `${amount} ago`;
}

export function duration(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  return minutes < 60 ? `${minutes} min` : minutes < 48 * 60 ? `${Math.round(minutes / 60)} h` : `${Math.round(minutes / 1440)} d`;
}

/**
 * Money as the reader writes it, in their browser's language: the currency's own minor units (yen
 * none, euro two), grouping, and its symbol or code. Without a currency, a number with grouping.
 */
export function money(amount: number, currency?: string): string {
  if (!currency) return new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 }).format(amount);
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(amount);
  } catch {
    return `${amount} ${currency}`;
  }
}
