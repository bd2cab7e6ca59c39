import { ensureConsoleBuilt } from '../../infra/local/console.ts';

/** Once before every test file: the console's static files, built when missing or stale (as `npm start` does). */
export default async function setup(): Promise<void> {
  await ensureConsoleBuilt((line) => console.log(line));
}
