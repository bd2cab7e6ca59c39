import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Holidays from 'date-holidays';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambdaBundling } from '../../infra/bundling.ts';
import { holidayTablePath } from '../../infra/holiday-table.ts';

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
}, 180_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What the calendar reads: a country's public holidays in a year, by date. */
const publicDates = (
  HolidaysClass: { new (country: string): { getHolidays(year: number): { date: string; type: string }[] | undefined } },
  country: string,
  year: number,
) => [
  ...new Set(
    (new HolidaysClass(country).getHolidays(year) || [])
      .filter((holiday) => holiday.type === 'public')
      .map((holiday) => holiday.date.slice(0, 10)),
  ),
];

describe('date-holidays stand-in: the public holidays the calendar asks for, from the table beside the bundle', () => {
  it.each(['JP', 'CL', 'TW', 'DE', 'US', 'BR'])(
    '%s: every public holiday of 2020–2045 falls on the same day as with the real library',
    (country) => {
      for (let year = 2020; year <= 2045; year++)
        expect(publicDates(bundle.Holidays, country, year), `${country} ${year}`).toEqual(publicDates(Holidays, country, year));
    },
  );

  it('every country: every public holiday of 2026–2032 falls on the same day as with the real library', () => {
    const countries = Object.keys(new Holidays().getCountries());
    expect(countries.length).toBeGreaterThan(150);
    for (const country of countries)
      for (let year = 2026; year <= 2032; year++)
        expect(publicDates(bundle.Holidays, country, year), `${country} ${year}`).toEqual(publicDates(Holidays, country, year));
  }, 120_000);

  it('Japan 2027: Vernal Equinox Day is 21 March, Autumnal Equinox Day 23 September', () => {
    const days = publicDates(bundle.Holidays, 'JP', 2027);
    expect(days).toContain('2027-03-21');
    expect(days).toContain('2027-09-23');
  });

  it('a country the library does not know has none; a year outside the table is an error naming the range', () => {
    expect(publicDates(bundle.Holidays, 'XX', 2027)).toEqual([]);
    expect(() => new bundle.Holidays('DE').getHolidays(2100)).toThrow('covers 2000 to 2099, not 2100');
  });

  it('leaves the holiday rules and their engine out of the bundle: CDK copies the table beside it', () => {
    expect(code).not.toContain('Fronleichnam');
    expect(code).not.toMatch(/astronomia|VSOP87|Equinox/);
    expect(JSON.parse(readFileSync(join(dir, 'holidays', 'DE.json'), 'utf8'))['2027']).toContain('12-25');
    expect(lambdaBundling.afterBundling('/asset-input', '/asset-output')).toEqual([
      `cp -r "/asset-input/${holidayTablePath()}" "/asset-output/holidays"`,
    ]);
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
