/** Times as the person reads them: in their browser's zone and language, and "in 2 h" / "3 h ago". */
const absolute = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export const when = (iso: string | null | undefined) => (iso ? absolute.format(new Date(iso)) : '—');

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
