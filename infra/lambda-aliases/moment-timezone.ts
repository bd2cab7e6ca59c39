import { DateTime } from 'luxon';

/**
 * Stands in for `moment-timezone` in Lambda bundles. The holiday library uses a sliver of it (caldate:
 * `moment.tz("YYYY-MM-DD HH:mm:ss" | Date, zone)` with `.format()` and the date fields;
 * date-holidays-parser's Equinox: `moment(iso).tz(zone)` / `.utcOffset("+09:00")`), yet bundling it
 * brings 777 KB of moment and every zone's history. Luxon, which the calendar uses anyway, reads
 * zones from the runtime's ICU data. test/unit/lambda-aliases.test.ts checks every country's
 * holidays through a real bundle against the real library.
 */
class ZonedMoment {
  constructor(private readonly time: DateTime) {}

  utcOffset(offset: string): ZonedMoment {
    return new ZonedMoment(this.time.setZone(`UTC${offset}`));
  }

  tz(zone: string): ZonedMoment {
    return new ZonedMoment(this.time.setZone(zone));
  }

  year(): number {
    return this.time.year;
  }

  /** 0-based, as moment's. */
  month(): number {
    return this.time.month - 1;
  }

  date(): number {
    return this.time.day;
  }

  hours(): number {
    return this.time.hour;
  }

  minutes(): number {
    return this.time.minute;
  }

  seconds(): number {
    return this.time.second;
  }

  /** ISO 8601 with the zone's offset, as moment's default format. */
  format(): string {
    return this.time.toISO({ suppressMilliseconds: true }) ?? 'Invalid date';
  }
}

/** An instant given in ISO 8601, as moment(iso). */
function moment(iso: string): ZonedMoment {
  return new ZonedMoment(DateTime.fromISO(iso, { zone: 'utc' }));
}

/** An instant in `zone`, or a wall time ("YYYY-MM-DD HH:mm:ss") read in `zone`, as moment.tz(). */
moment.tz = (input: Date | string, zone: string): ZonedMoment =>
  new ZonedMoment(input instanceof Date ? DateTime.fromJSDate(input, { zone }) : DateTime.fromSQL(input, { zone }));

export default moment;
