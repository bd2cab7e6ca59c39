import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Holidays from 'date-holidays';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambdaBundling } from '../../infra/bundling.ts';

/**
 * The packages infra/bundling.ts replaces in Lambda bundles, checked through a real bundle built
 * with the same settings as CDK's: the stand-ins must behave as the packages they replace.
 */
const entry = `
export { default as Holidays } from 'date-holidays';
export { defaultProvider } from '@aws-sdk/credential-provider-node';
export { DynamoDBClient } from '@aws-sdk/client-dynamodb';
`;

type Bundle = {
  Holidays: typeof Holidays;
  defaultProvider: (init?: object) => () => Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string }>;
  DynamoDBClient: new (config: object) => { config: { credentials: () => Promise<{ accessKeyId: string }> } };
};

let dir: string;
let bundle: Bundle;
let code: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'steward-aliases-'));
  const outfile = join(dir, 'entry.mjs');
  await build({
    ...lambdaBundling.esbuild,
    stdin: { contents: entry, resolveDir: lambdaBundling.esbuild.absWorkingDir },
    outfile,
    logLevel: 'silent',
  });
  lambdaBundling.copyBesideBundle(dir); // as CDK's afterBundling hook does
  code = readFileSync(outfile, 'utf8');
  bundle = await import(pathToFileURL(outfile).href);
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What the calendar reads: the local date and the type (and the name, to tell holidays apart). */
const holidayDates = (HolidaysClass: typeof Holidays, country: string, year: number) =>
  (new HolidaysClass(country).getHolidays(year) || []).map((holiday) => `${holiday.date} ${holiday.type} ${holiday.name}`);

const holidayInstants = (HolidaysClass: typeof Holidays, country: string, year: number) =>
  (new HolidaysClass(country).getHolidays(year) || []).map((holiday) => `${holiday.start.toISOString()} ${holiday.end.toISOString()}`);

describe('date-holidays and moment-timezone stand-ins (the holiday library reads equinoxes and solstices through moment)', () => {
  it.each(['JP', 'CL', 'TW'])('%s: every holiday of 2020–2045 falls on the same day as with the real moment-timezone', (country) => {
    for (let year = 2020; year <= 2045; year++)
      expect(holidayDates(bundle.Holidays, country, year), `${country} ${year}`).toEqual(holidayDates(Holidays, country, year));
  });

  // Start and end instants can differ where moment-timezone's zone data and the runtime's ICU data
  // predict a zone's future offsets differently (Morocco's Ramadan clock changes); dates do not.
  it('every country: every holiday of 2026–2032 falls on the same day as with the real library', () => {
    const countries = Object.keys(new Holidays().getCountries());
    expect(countries.length).toBeGreaterThan(150);
    for (const country of countries)
      for (let year = 2026; year <= 2032; year++)
        expect(holidayDates(bundle.Holidays, country, year), `${country} ${year}`).toEqual(holidayDates(Holidays, country, year));
  }, 120_000);

  it.each(['DE', 'US', 'AU', 'JP', 'CL', 'BR'])('%s: holidays start and end at the same instants, 2025–2035', (country) => {
    for (let year = 2025; year <= 2035; year++)
      expect(holidayInstants(bundle.Holidays, country, year), `${country} ${year}`).toEqual(holidayInstants(Holidays, country, year));
  });

  it('Japan 2027: Vernal Equinox Day is 21 March, Autumnal Equinox Day 23 September', () => {
    const equinoxDays = holidayDates(bundle.Holidays, 'JP', 2027).filter((line) => /春分の日$|秋分の日$/.test(line));
    expect(equinoxDays.map((line) => line.slice(0, 10))).toEqual(['2027-03-21', '2027-09-23']);
  });

  it('leaves the holiday rules out of the bundle: they are read from holidays.json beside it, which CDK copies there', () => {
    expect(code).not.toContain('Fronleichnam');
    expect(readFileSync(join(dir, 'holidays.json'), 'utf8')).toContain('Fronleichnam');
    expect(lambdaBundling.afterBundling('/asset-input', '/asset-output')).toEqual([
      'cp "/asset-input/node_modules/date-holidays/data/holidays.json" "/asset-output/holidays.json"',
    ]);
  });

  it('leaves moment and its zone data out of the bundle', () => {
    expect(code).not.toMatch(/moment\.tz\.add|Europe\/Berlin\|/);
  });
});

describe('credential provider stand-in (Lambda passes the role credentials in the environment)', () => {
  const saved = { ...process.env };
  afterAll(() => {
    process.env = saved;
  });

  it('an SDK client in the bundle signs with the environment credentials', async () => {
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIDLAMBDA', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 'token' });
    const client = new bundle.DynamoDBClient({ region: 'eu-central-1' });
    expect((await client.config.credentials()).accessKeyId).toBe('AKIDLAMBDA');
  });

  it('refuses, rather than inventing credentials, when there are none', async () => {
    for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE']) delete process.env[name];
    for (const name of ['AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI']) delete process.env[name];
    await expect(bundle.defaultProvider()()).rejects.toThrow();
  });

  it('leaves the SSO, INI and web-identity providers out of the bundle', () => {
    expect(code).not.toMatch(/sso-oidc|fromTokenFile|AWS_WEB_IDENTITY_TOKEN_FILE/);
  });
});
