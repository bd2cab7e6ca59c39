import { DateTime } from 'luxon';

/**
 * An instant as a person reads it, in their time zone and in English whatever the machine's
 * locale: "Mon 30 Nov 2026, 14:40 CET". Undefined stays undefined (templates show "none given").
 */
export const inWords = (iso: string | undefined, zone: string): string | undefined =>
  iso ? DateTime.fromISO(iso, { zone }).setLocale('en-GB').toFormat('ccc d LLL yyyy, HH:mm ZZZZ') : undefined;

/** A calendar date as a person reads it, whatever the machine's locale: "Thursday 31 December 2026". */
export const dayInWords = (date: string | undefined): string | undefined =>
  date ? DateTime.fromISO(date).setLocale('en-GB').toFormat('cccc d LLLL yyyy') : undefined;

/** A date as people write it in a list: "1 Dec 2026". */
export const shortDay = (date: string | undefined): string | undefined =>
  date ? DateTime.fromISO(date.slice(0, 10)).setLocale('en').toFormat('d LLL yyyy') : undefined;

/** A count with its noun: "1 day", "3 days". */
export const counted = (count: number, noun: string): string => `${count} ${noun}${count === 1 ? '' : 's'}`;

/** People named in a greeting: "Ann", "Ann and Bob", "Ann, Bob and Carl". */
export const namesInWords = (names: string[]): string =>
  names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;

/** An ISO-8601 duration of weeks, days, hours and minutes in words: "PT15M" → "15 minutes", "P1DT2H" → "1 day 2 hours". */
export function durationInWords(iso: string): string {
  const match = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(iso);
  if (!match) return iso;
  const parts = (['week', 'day', 'hour', 'minute', 'second'] as const)
    .map((unit, index) => [Number(match[index + 1] ?? 0), unit] as const)
    .filter(([count]) => count > 0)
    .map(([count, unit]) => counted(count, unit));
  return parts.join(' ') || iso;
}
