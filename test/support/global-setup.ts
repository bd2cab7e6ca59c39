import { holidayTable } from '../../infra/holiday-table.ts';
import { ensureConsoleBuilt } from '../../infra/local/console.ts';

/**
 * Once before every test file: the console's static files, built when missing or stale (as `npm
 * start` does), and the holiday table Lambda bundles carry (made once per library version, about
 * half a minute on a fresh clone), so no test's own time limit pays for either.
 */
export default async function setup(): Promise<void> {
  await ensureConsoleBuilt((line) => console.log(line));
  holidayTable();
}
