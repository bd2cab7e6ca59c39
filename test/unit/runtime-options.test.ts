import { describe, expect, it } from 'vitest';
import { optionsFromEnv } from '../../infra/local/runtime.ts';
import { parseInstant } from '../../infra/local/instant.ts';
import { parseUnknownSender } from '../../kernel/deps.ts';

describe('runtime options from the environment', () => {
  it('prints readable lines unless --json-logs asks for them as on AWS; refuses an unknown argument, listing the known ones', () => {
    expect(optionsFromEnv({}, []).logFormat).toBe('readable');
    expect(optionsFromEnv({}, ['--json-logs', '--in-memory'])).toMatchObject({ logFormat: 'json', inMemory: true });
    expect(() => optionsFromEnv({}, ['--json'])).toThrow('unknown argument "--json" (supported: --in-memory, --json-logs)');
  });

  it('reads the secrets rotated out, the legacy-link date and whether monitoring senders may use the API token', () => {
    expect(optionsFromEnv({}, [])).toMatchObject({ webhooksAcceptApiToken: true, acceptLegacyLinksUntil: undefined });
    const options = optionsFromEnv(
      {
        STEWARD_WEBHOOKS_ACCEPT_API_TOKEN: 'false',
        STEWARD_LINK_KEY: 'k2',
        STEWARD_LINK_KEY_PREVIOUS: 'k1',
        STEWARD_API_TOKEN_PREVIOUS: 't1',
        STEWARD_ACCEPT_LEGACY_LINKS_UNTIL: '2027-03-01T00:00:00+01:00',
      },
      [],
    );
    expect(options).toMatchObject({ webhooksAcceptApiToken: false, linkKey: 'k2', previousLinkKey: 'k1', previousApiToken: 't1' });
    expect(options.acceptLegacyLinksUntil?.toISOString()).toBe('2027-02-28T23:00:00.000Z');
    expect(() => optionsFromEnv({ STEWARD_WEBHOOKS_ACCEPT_API_TOKEN: 'no' }, [])).toThrow(
      'STEWARD_WEBHOOKS_ACCEPT_API_TOKEN must be "true" or "false", got "no"',
    );
    expect(() => optionsFromEnv({ STEWARD_ACCEPT_LEGACY_LINKS_UNTIL: 'March' }, [])).toThrow(
      /STEWARD_ACCEPT_LEGACY_LINKS_UNTIL must be an ISO-8601/,
    );
  });

  it('sign-in: the first admin (email, password), or another OpenID Connect issuer; a bad value is an error naming the variable', () => {
    expect(optionsFromEnv({}, [])).toMatchObject({ adminEmail: 'admin@steward.localhost', adminPassword: undefined, oidc: undefined });
    expect(optionsFromEnv({ STEWARD_ADMIN_EMAIL: 'Ops@Example.com', STEWARD_ADMIN_PASSWORD: 'a-long-password' }, [])).toMatchObject({
      adminEmail: 'ops@example.com',
      adminPassword: 'a-long-password',
    });
    expect(
      optionsFromEnv(
        { STEWARD_OIDC_ISSUER: 'https://login.example.com/', STEWARD_OIDC_AUDIENCES: 'app-1, app-2', STEWARD_OIDC_EMAIL_CLAIM: 'upn' },
        [],
      ).oidc,
    ).toEqual({ issuer: 'https://login.example.com', audiences: ['app-1', 'app-2'], emailClaim: 'upn' });
    expect(() => optionsFromEnv({ STEWARD_ADMIN_EMAIL: 'admin' }, [])).toThrow('STEWARD_ADMIN_EMAIL must be an email address');
    expect(() => optionsFromEnv({ STEWARD_ADMIN_PASSWORD: 'short' }, [])).toThrow('STEWARD_ADMIN_PASSWORD: at least 12 characters');
    expect(() => optionsFromEnv({ STEWARD_OIDC_ISSUER: 'https://login.example.com' }, [])).toThrow(
      'STEWARD_OIDC_ISSUER needs STEWARD_OIDC_AUDIENCES',
    );
    expect(() => optionsFromEnv({ STEWARD_OIDC_ISSUER: 'login', STEWARD_OIDC_AUDIENCES: 'a' }, [])).toThrow("must be the issuer's URL");
    expect(() => optionsFromEnv({ STEWARD_OIDC_AUDIENCES: 'a' }, [])).toThrow('works only with STEWARD_OIDC_ISSUER');
  });

  it('STEWARD_CLOCK_START sets where the manual clock starts', () => {
    const options = optionsFromEnv({ STEWARD_CLOCK: 'manual', STEWARD_CLOCK_START: '2026-12-01T09:00:00+01:00' }, []);
    expect(options.clockStart?.toISOString()).toBe('2026-12-01T08:00:00.000Z');
    expect(optionsFromEnv({ STEWARD_CLOCK: 'manual' }, []).clockStart).toBeUndefined();
  });

  it.each([
    ['not a date', 'tomorrow'],
    ['no offset (a different instant on every machine)', '2026-12-01T09:00:00'],
    ['an impossible date', '2026-02-30T09:00:00Z'],
  ])('refuses a bad STEWARD_CLOCK_START (%s), naming the variable', (_case, value) => {
    expect(() => optionsFromEnv({ STEWARD_CLOCK: 'manual', STEWARD_CLOCK_START: value }, [])).toThrow(
      /STEWARD_CLOCK_START must be an ISO-8601 instant with an offset/,
    );
  });

  it('reads the Step Functions port, the fault shares and the sending rate; refuses bad ones naming the variable', () => {
    const options = optionsFromEnv({ STEWARD_SFN_PORT: '9083', STEWARD_FAULTS: '{"ses":0.3}', STEWARD_SES_MAX_RATE: '14' }, []);
    expect(options).toMatchObject({ sfnPort: 9083, faults: { ses: 0.3 }, sesMaxRate: 14 });
    expect(optionsFromEnv({}, [])).toMatchObject({ sfnPort: 8083, faults: undefined, sesMaxRate: undefined });
    expect(() => optionsFromEnv({ STEWARD_FAULTS: 'ses=0.3' }, [])).toThrow(/STEWARD_FAULTS: not valid JSON/);
    expect(() => optionsFromEnv({ STEWARD_FAULTS: '{"ses":1.5}' }, [])).toThrow(
      /STEWARD_FAULTS: faults\.ses: must be a number from 0 to 1/,
    );
    expect(() => optionsFromEnv({ STEWARD_SES_MAX_RATE: '-1' }, [])).toThrow(/STEWARD_SES_MAX_RATE must be a number/);
    expect(() => optionsFromEnv({ STEWARD_SFN_PORT: '70000' }, [])).toThrow(/STEWARD_SFN_PORT must be a port number/);
  });

  it("reads the Scheduler API's port (8086 unless STEWARD_SCHEDULER_PORT says otherwise), and refuses a bad one", () => {
    expect(optionsFromEnv({}, []).schedulerPort).toBe(8086);
    expect(optionsFromEnv({ STEWARD_SCHEDULER_PORT: '9086' }, []).schedulerPort).toBe(9086);
    expect(() => optionsFromEnv({ STEWARD_SCHEDULER_PORT: 'x' }, [])).toThrow(/STEWARD_SCHEDULER_PORT must be a port number/);
  });

  it('reads the index delay and fault delays; refuses bad ones naming the field', () => {
    expect(optionsFromEnv({ STEWARD_INDEX_DELAY_MS: '1000' }, []).indexDelayMs).toBe(1000);
    expect(optionsFromEnv({}, []).indexDelayMs).toBeUndefined();
    expect(() => optionsFromEnv({ STEWARD_INDEX_DELAY_MS: '1.5' }, [])).toThrow(
      /STEWARD_INDEX_DELAY_MS must be a whole number of milliseconds from 0 to 3600000/,
    );
    expect(() => optionsFromEnv({ STEWARD_INDEX_DELAY_MS: '3600001' }, [])).toThrow(/STEWARD_INDEX_DELAY_MS/);
    expect(optionsFromEnv({ STEWARD_FAULTS: '{"delayMs":{"ses":2000}}' }, []).faults).toEqual({ delayMs: { ses: 2000 } });
    expect(() => optionsFromEnv({ STEWARD_FAULTS: '{"delayMs":{"lambda":1}}' }, [])).toThrow(
      /faults\.delayMs: "lambda" is not a component/,
    );
    expect(() => optionsFromEnv({ STEWARD_FAULTS: '{"delayMs":{"ses":-1}}' }, [])).toThrow(/faults\.delayMs\.ses: must be a whole number/);
    expect(() => optionsFromEnv({ STEWARD_FAULTS: '{"delayMs":5}' }, [])).toThrow(/faults\.delayMs: must be an object/);
  });

  it('refuses STEWARD_CLOCK_START without the manual clock', () => {
    expect(() => optionsFromEnv({ STEWARD_CLOCK_START: '2026-12-01T09:00:00Z' }, [])).toThrow(
      /STEWARD_CLOCK_START works only with STEWARD_CLOCK=manual/,
    );
  });
});

describe('parseInstant', () => {
  it.each([
    ['2026-12-01T09:00:00Z', '2026-12-01T09:00:00.000Z'],
    ['2026-12-01T09:00:00.250Z', '2026-12-01T09:00:00.250Z'],
    ['2026-03-29T02:30:00+02:00', '2026-03-29T00:30:00.000Z'],
    ['2026-12-01T10:00-0100', '2026-12-01T11:00:00.000Z'],
  ])('%s is %s on every machine', (text, iso) => {
    expect(parseInstant(text)?.toISOString()).toBe(iso);
  });

  it.each(['2026-12-01', '2026-12-01T09:00', 'Tue, 01 Dec 2026 09:00:00 GMT', '', `2026-12-01T09:00:00${'0'.repeat(80)}Z`])(
    'refuses %j',
    (text) => {
      expect(parseInstant(text)).toBeUndefined();
    },
  );

  it('files alerts and mail for no known customer under the built-in triage customer unless told to refuse or given another', () => {
    expect(parseUnknownSender(optionsFromEnv({}, []).unknownSender, 'admin@x.test')).toEqual({
      customerId: 'triage',
      desk: 'admin@x.test',
    });
    expect(parseUnknownSender('triage', 'admin@x.test')).toEqual({ customerId: 'triage', desk: 'admin@x.test' });
    expect(parseUnknownSender('refuse', 'admin@x.test')).toBe('refuse');
    expect(parseUnknownSender('noc-desk', 'admin@x.test')).toEqual({ customerId: 'noc-desk' });
  });

  it('STEWARD_BOOTSTRAP_TOKEN: on by default, off when asked, anything else refused naming the variable', () => {
    expect(optionsFromEnv({}, []).bootstrapTokenOff).toBe(false);
    expect(optionsFromEnv({ STEWARD_BOOTSTRAP_TOKEN: 'off' }, []).bootstrapTokenOff).toBe(true);
    expect(() => optionsFromEnv({ STEWARD_BOOTSTRAP_TOKEN: 'no' }, [])).toThrow('STEWARD_BOOTSTRAP_TOKEN must be "on" or "off", got "no"');
  });
});
