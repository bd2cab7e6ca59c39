import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { addTime, aroundTheClock, businessCalendar } from '../../kernel/calendar.ts';

const berlin = businessCalendar({ timezone: 'Europe/Berlin', country: 'DE' }, { start: '09:00', end: '17:00', days: [1, 2, 3, 4, 5] });
const local = (iso: string) => DateTime.fromISO(iso, { zone: 'Europe/Berlin' }).toJSDate();
const show = (date: Date) => DateTime.fromJSDate(date, { zone: 'Europe/Berlin' }).toFormat('ccc yyyy-MM-dd HH:mm');

describe('business-hours calendar (Europe/Berlin, DE public holidays)', () => {
  it('Friday 17:55: four business hours end Monday 13:00, three business days Thursday 09:00', () => {
    expect(show(addTime(berlin, local('2026-11-27T17:55'), 'PT4H'))).toBe('Mon 2026-11-30 13:00');
    expect(show(addTime(berlin, local('2026-11-27T17:55'), 'P3D'))).toBe('Thu 2026-12-03 09:00');
  });

  it('skips a public holiday: Whit Monday 2027 moves the start to Tuesday', () => {
    expect(show(addTime(berlin, local('2027-05-14T17:55'), 'PT4H'))).toBe('Tue 2027-05-18 13:00');
    expect(show(addTime(berlin, local('2027-05-14T17:55'), 'P1D'))).toBe('Wed 2027-05-19 09:00');
  });

  it('carries business minutes over closing time and over Christmas (25 and 26 Dec are public holidays)', () => {
    expect(show(addTime(berlin, local('2026-12-24T15:00'), 'PT3H'))).toBe('Mon 2026-12-28 10:00');
    expect(show(addTime(berlin, local('2026-11-25T16:30'), 'PT1H'))).toBe('Thu 2026-11-26 09:30');
  });

  it('P5D is a working week; 24x7 is plain wall-clock time', () => {
    expect(show(addTime(berlin, local('2026-11-24T10:00'), 'P5D'))).toBe('Tue 2026-12-01 10:00');
    expect(addTime(aroundTheClock, new Date('2026-11-27T16:55:00Z'), 'PT4H').toISOString()).toBe('2026-11-27T20:55:00.000Z');
  });
});
