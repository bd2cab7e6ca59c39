import Holidays from 'date-holidays';
import { DateTime, Duration } from 'luxon';

/**
 * When a clock runs: around the clock, or in a customer's business hours (their time zone, their
 * country's public holidays).
 */
export type BusinessCalendar = { kind: 'business-hours'; zone: string; country: string; start: string; end: string; days: number[] };
export type Calendar = { kind: '24x7' } | BusinessCalendar;

export interface BusinessHours {
  /** Local opening and closing time, "HH:mm". */
  start: string;
  end: string;
  /** ISO weekdays, 1 = Monday. */
  days: number[];
}

export const aroundTheClock: Calendar = { kind: '24x7' };

export function businessCalendar(customer: { timezone: string; country: string }, hours: BusinessHours): BusinessCalendar {
  return { kind: 'business-hours', zone: customer.timezone, country: customer.country, ...hours };
}

const holidayCache = new Map<string, Set<string>>();

/** Public holidays (type "public" only: not bank, school or observance days) of a country in a year, as yyyy-MM-dd. */
function publicHolidays(country: string, year: number): Set<string> {
  const cacheKey = `${country}:${year}`;
  let days = holidayCache.get(cacheKey);
  if (!days) {
    const calendar = new Holidays(country);
    days = new Set(
      (calendar.getHolidays(year) || []).filter((holiday) => holiday.type === 'public').map((holiday) => holiday.date.slice(0, 10)),
    );
    holidayCache.set(cacheKey, days);
  }
  return days;
}

export function isBusinessDay(calendar: BusinessCalendar, day: DateTime): boolean {
  return calendar.days.includes(day.weekday) && !publicHolidays(calendar.country, day.year).has(day.toISODate()!);
}

const at = (day: DateTime, hhmm: string) => {
  const [hour, minute] = hhmm.split(':').map(Number);
  return day.set({ hour, minute, second: 0, millisecond: 0 });
};

/** The first instant at or after `t` that is inside business hours. */
function nextOpen(calendar: BusinessCalendar, t: DateTime): DateTime {
  let day = t.startOf('day');
  for (let i = 0; i < 400; i++, day = day.plus({ days: 1 })) {
    if (!isBusinessDay(calendar, day)) continue;
    const open = at(day, calendar.start);
    const close = at(day, calendar.end);
    if (t < open) return open;
    if (t < close) return t;
  }
  throw new Error(`no business day within 400 days in ${calendar.country}`);
}

/**
 * The instant a duration after `start`, counted in the calendar. In business hours, the days of
 * the duration are business days (same local time on the Nth business day) and its hours and
 * minutes are business minutes; time outside business hours does not count. So sev3 opened Friday
 * 17:55 with "PT4H" falls due Monday 13:00, and "P3D" Thursday 09:00.
 */
export function addTime(calendar: Calendar, start: Date, iso: string): Date {
  const duration = Duration.fromISO(iso);
  if (calendar.kind === '24x7') return new Date(start.getTime() + duration.as('milliseconds'));
  let t = nextOpen(calendar, DateTime.fromJSDate(start, { zone: calendar.zone }));
  const { days = 0, weeks = 0 } = duration.toObject();
  for (let remaining = days + weeks * 5; remaining > 0; ) {
    t = t.plus({ days: 1 });
    if (isBusinessDay(calendar, t.startOf('day'))) remaining--;
  }
  t = nextOpen(calendar, t);
  let minutes = Duration.fromObject({ hours: duration.hours, minutes: duration.minutes, seconds: duration.seconds }).as('minutes');
  while (minutes > 0) {
    const close = at(t, calendar.end);
    const available = close.diff(t, 'minutes').minutes;
    if (minutes <= available) return t.plus({ minutes }).toJSDate();
    minutes -= available;
    t = nextOpen(calendar, close.plus({ minutes: 1 }));
  }
  return t.toJSDate();
}
