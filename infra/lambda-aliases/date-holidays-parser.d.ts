// date-holidays-parser ships types but its package exports do not name them.
declare module 'date-holidays-parser' {
  import type { HolidaysTypes } from 'date-holidays';
  export default class HolidaysParser {
    constructor(data: object, country?: string | object, state?: string, region?: string, opts?: object);
    getHolidays(year?: number | string | Date, language?: string): HolidaysTypes.Holiday[];
  }
}
