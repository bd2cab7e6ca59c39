import { readFileSync } from 'node:fs';
import HolidaysParser from 'date-holidays-parser';

/**
 * Stands in for `date-holidays` in Lambda bundles. The package compiles every country's rules into
 * its JavaScript (437 KB of a minified bundle, parsed at every cold start, though a calendar needs
 * them only on its first business-hours question). Here the same rules are read from
 * `holidays.json`, which the bundling step copies next to the bundle from the same package
 * (infra/bundling.ts), on first use. test/unit/lambda-aliases.test.ts checks every country's
 * holidays through a real bundle against the real library.
 */
let data: object | undefined;
const holidayData = () => (data ??= JSON.parse(readFileSync(new URL('./holidays.json', import.meta.url), 'utf8')) as object);

export default class Holidays extends HolidaysParser {
  constructor(country?: string | object, state?: string, region?: string, opts?: object) {
    super(holidayData(), country, state, region, opts);
  }
}
