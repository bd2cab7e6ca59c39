import { readFileSync } from 'node:fs';

/**
 * Stands in for `date-holidays` in Lambda bundles, for what the business calendar asks of it
 * (kernel/calendar.ts: a country's public holidays in a year, by date). The answers are the
 * library's own, computed at bundling time (infra/holiday-table.ts) and read here from
 * `holidays/<country>.json` beside the bundle, one country on its first question: the library's
 * rules engine and astronomy tables stay out of the bundle. test/unit/lambda-aliases.test.ts checks
 * every country through a real bundle against the real library.
 */
const FIRST_YEAR = 2000;
const LAST_YEAR = 2099;
const countries = new Map<string, Record<string, string[]>>();

function countryTable(country: string): Record<string, string[]> {
  let table = countries.get(country);
  if (!table) {
    const file = new URL(`./holidays/${encodeURIComponent(country)}.json`, import.meta.url);
    try {
      table = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string[]>;
    } catch (error) {
      // A country the library does not know has no holidays, as the library answers.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      table = {};
    }
    countries.set(country, table);
  }
  return table;
}

export default class Holidays {
  constructor(private readonly country?: string) {}

  getHolidays(year: number): { date: string; type: 'public' }[] {
    if (!this.country) return [];
    if (year < FIRST_YEAR || year > LAST_YEAR)
      throw new Error(`the holiday table beside this bundle covers ${FIRST_YEAR} to ${LAST_YEAR}, not ${year} (infra/holiday-table.ts)`);
    return (countryTable(this.country)[year] ?? []).map((monthDay) => ({ date: `${year}-${monthDay} 00:00:00`, type: 'public' }));
  }
}
