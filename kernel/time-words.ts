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

/** A count with its noun: "1 day", "3 days". */
export const counted = (count: number, noun: string): string => `${count} ${noun}${count === 1 ? '' : 's'}`;

/** People named in a greeting: "Ann", "Ann and Bob", "Ann, Bob and Carl". */
export const namesInWords = (names: string[]): string =>
  names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
