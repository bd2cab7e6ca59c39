import { resolve } from 'node:path';
import { sendingRate } from '../../kernel/aws/ses-mailer.ts';
import { type FaultShares, parseFaults } from './faults.ts';
import { MAX_INDEX_DELAY_MS } from './index-lag.ts';
import { parseInstant } from './instant.ts';
import { newAccountSchema } from './sign-in-provider.ts';
import type { LogFormat } from './telemetry.ts';

export const DEFAULT_ADMIN_EMAIL = 'admin@steward.localhost';
/** What `npm start -- …` accepts. */
const ARGUMENTS = ['--in-memory', '--json-logs'];

export interface RuntimeOptions {
  port: number;
  dynamodbPort: number;
  sesPort: number;
  smtpPort: number;
  /** The Step Functions API of the embedded engine. */
  sfnPort: number;
  /** The S3 API (s3rver) holding the inbound mail bucket. */
  s3Port: number;
  /** EventBridge Scheduler's API for the case loops' timers (STEWARD_SCHEDULER_PORT; default: any free port). */
  schedulerPort?: number;
  dataDir: string;
  inMemory: boolean;
  clock: 'real' | 'manual';
  /** Where a manual clock starts when no saved time resumes it (default: the current time). */
  clockStart?: Date;
  apiToken?: string;
  /** Signs customer links and reply addresses (STEWARD_LINK_KEY; else generated and kept in the data folder). */
  linkKey?: string;
  /** Secrets rotated out that still verify (STEWARD_API_TOKEN_PREVIOUS, STEWARD_LINK_KEY_PREVIOUS), as AWSPREVIOUS does on AWS. */
  previousApiToken?: string;
  previousLinkKey?: string;
  /** Links signed with the key derived from the API token (before links had their own) verify until then. */
  acceptLegacyLinksUntil?: Date;
  /** Monitoring integrations without a secret of their own may use the API token (default true; AWS: false). */
  webhooksAcceptApiToken?: boolean;
  /** The bootstrap API token stops serving staff routes once an admin user exists (STEWARD_BOOTSTRAP_TOKEN=off). */
  bootstrapTokenOff?: boolean;
  fromAddress: string;
  inboundAddress: string;
  /** Alerts and mail for no known customer: "refuse", or the id of a triage customer (default: the built-in "triage"). */
  unknownSender?: string;
  /** Overrides Retry intervals of every Task (tests use 0). */
  retryIntervalMs?: number;
  /** How long a slow client may take (defaults: CLIENT_LIMITS); tests shorten them. */
  clientLimits?: Partial<ClientLimits>;
  /** Emails per second at most (STEWARD_SES_MAX_RATE); unset: no pacing. */
  sesMaxRate?: number;
  /** Shares of calls to local components that fail as under AWS throttling (STEWARD_FAULTS; /_local/faults changes them). */
  faults?: FaultShares;
  /** Step Functions' API throttling quotas on the local API (STEWARD_SFN_QUOTAS=off turns them off; default on, as on AWS). */
  sfnQuotas?: boolean;
  /** How long, on the runtime's clock, an index query does not see an item just written (STEWARD_INDEX_DELAY_MS; default 0). */
  indexDelayMs?: number;
  /**
   * Definitions deployed at start instead of the modules' own, by workflow (tests of runs started
   * before a change of definition); `deployWorkflows()` then deploys the modules' own.
   */
  workflowDefinitions?: Record<string, { file: string; substitutions: Record<string, string> }>;
  /** Overrides functions' configured timeouts, in seconds (tests shorten one to see it enforced). */
  functionTimeouts?: Record<string, number>;
  /** How log lines are printed: readable (default), JSON as on AWS (`--json-logs`), or not at all. */
  logFormat?: LogFormat;
  /** The first admin's sign-in (STEWARD_ADMIN_EMAIL, STEWARD_ADMIN_PASSWORD; the password generated and kept when unset). */
  adminEmail?: string;
  adminPassword?: string;
  /** Another OpenID Connect issuer instead of the embedded one (STEWARD_OIDC_ISSUER, STEWARD_OIDC_AUDIENCES, STEWARD_OIDC_EMAIL_CLAIM). */
  oidc?: { issuer: string; audiences: string[]; emailClaim?: string };
}

export interface ClientLimits {
  /** A whole HTTP request, headers and body (API Gateway's integration limit is 30 s). */
  httpRequestMs: number;
  /** SMTP: silence between commands. */
  smtpIdleMs: number;
  /** SMTP: one whole session, however busy (a client dripping NOOPs is cut off too). */
  smtpSessionMs: number;
}

export const CLIENT_LIMITS: ClientLimits = { httpRequestMs: 30_000, smtpIdleMs: 60_000, smtpSessionMs: 10 * 60_000 };

export function optionsFromEnv(env: NodeJS.ProcessEnv, argv: string[]): RuntimeOptions {
  const port = (name: string, fallback: number) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1 || value > 65535) throw new Error(`${name} must be a port number (1-65535), got "${raw}"`);
    return value;
  };
  const clock = env.STEWARD_CLOCK ?? 'real';
  if (clock !== 'real' && clock !== 'manual') throw new Error(`STEWARD_CLOCK must be "real" or "manual", got "${clock}"`);
  const clockStartText = env.STEWARD_CLOCK_START ?? '';
  let clockStart: Date | undefined;
  if (clockStartText !== '') {
    if (clock !== 'manual') throw new Error(`STEWARD_CLOCK_START works only with STEWARD_CLOCK=manual (STEWARD_CLOCK is "${clock}")`);
    clockStart = parseInstant(clockStartText);
    if (!clockStart)
      throw new Error(
        `STEWARD_CLOCK_START must be an ISO-8601 instant with an offset, such as 2026-12-01T09:00:00Z, got "${clockStartText}"`,
      );
  }
  for (const arg of argv) if (!ARGUMENTS.includes(arg)) throw new Error(`unknown argument "${arg}" (supported: ${ARGUMENTS.join(', ')})`);
  let faults: FaultShares | undefined;
  if (env.STEWARD_FAULTS) {
    try {
      faults = parseFaults(JSON.parse(env.STEWARD_FAULTS));
    } catch (error) {
      throw new Error(`STEWARD_FAULTS: ${error instanceof SyntaxError ? 'not valid JSON' : (error as Error).message}`);
    }
  }
  return {
    port: port('STEWARD_PORT', 3000),
    dynamodbPort: port('STEWARD_DYNAMODB_PORT', 8000),
    sesPort: port('STEWARD_SES_PORT', 8005),
    smtpPort: port('STEWARD_SMTP_PORT', 2525),
    sfnPort: port('STEWARD_SFN_PORT', 8083),
    s3Port: port('STEWARD_S3_PORT', 4568),
    schedulerPort: port('STEWARD_SCHEDULER_PORT', 8086),
    faults,
    sfnQuotas: onOff('STEWARD_SFN_QUOTAS', env.STEWARD_SFN_QUOTAS) === 'on',
    sesMaxRate: sendingRate(env.STEWARD_SES_MAX_RATE, 'STEWARD_SES_MAX_RATE'),
    indexDelayMs: indexDelay(env.STEWARD_INDEX_DELAY_MS),
    dataDir: resolve(env.STEWARD_DATA_DIR || '.steward'),
    inMemory: argv.includes('--in-memory'),
    logFormat: argv.includes('--json-logs') ? 'json' : 'readable',
    clock,
    clockStart,
    apiToken: env.STEWARD_API_TOKEN || undefined,
    linkKey: env.STEWARD_LINK_KEY || undefined,
    previousApiToken: env.STEWARD_API_TOKEN_PREVIOUS || undefined,
    previousLinkKey: env.STEWARD_LINK_KEY_PREVIOUS || undefined,
    acceptLegacyLinksUntil: legacyLinksUntil(env.STEWARD_ACCEPT_LEGACY_LINKS_UNTIL),
    webhooksAcceptApiToken: flag(env, 'STEWARD_WEBHOOKS_ACCEPT_API_TOKEN', true),
    bootstrapTokenOff: onOff('STEWARD_BOOTSTRAP_TOKEN', env.STEWARD_BOOTSTRAP_TOKEN) === 'off',
    fromAddress: env.STEWARD_FROM_ADDRESS || 'Steward <steward@steward.localhost>',
    inboundAddress: env.STEWARD_INBOUND_ADDRESS || 'support@steward.localhost',
    unknownSender: env.STEWARD_UNKNOWN_SENDER || undefined,
    adminEmail: adminEmail(env.STEWARD_ADMIN_EMAIL),
    adminPassword: adminPassword(env.STEWARD_ADMIN_PASSWORD),
    oidc: externalIssuer(env),
  };
}

function adminEmail(raw: string | undefined): string {
  if (raw === undefined || raw === '') return DEFAULT_ADMIN_EMAIL;
  if (!newAccountSchema.shape.email.safeParse(raw).success)
    throw new Error(`STEWARD_ADMIN_EMAIL must be an email address, got "${raw.slice(0, 80)}"`);
  return raw.toLowerCase();
}

function adminPassword(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  const checked = newAccountSchema.shape.password.safeParse(raw);
  if (!checked.success) throw new Error(`STEWARD_ADMIN_PASSWORD: ${checked.error.issues[0].message}`);
  return raw;
}

function externalIssuer(env: NodeJS.ProcessEnv): RuntimeOptions['oidc'] {
  if (!env.STEWARD_OIDC_ISSUER) {
    if (env.STEWARD_OIDC_AUDIENCES) throw new Error('STEWARD_OIDC_AUDIENCES works only with STEWARD_OIDC_ISSUER');
    return undefined;
  }
  let issuer: URL;
  try {
    issuer = new URL(env.STEWARD_OIDC_ISSUER);
  } catch {
    throw new Error(`STEWARD_OIDC_ISSUER must be the issuer's URL, got "${env.STEWARD_OIDC_ISSUER.slice(0, 80)}"`);
  }
  const audiences = (env.STEWARD_OIDC_AUDIENCES ?? '')
    .split(',')
    .map((audience) => audience.trim())
    .filter(Boolean);
  if (!audiences.length)
    throw new Error('STEWARD_OIDC_ISSUER needs STEWARD_OIDC_AUDIENCES: the client id(s) its tokens are issued for, comma-separated');
  return {
    issuer: issuer.href.replace(/\/$/, ''),
    audiences,
    ...(env.STEWARD_OIDC_EMAIL_CLAIM ? { emailClaim: env.STEWARD_OIDC_EMAIL_CLAIM } : {}),
  };
}

function indexDelay(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > MAX_INDEX_DELAY_MS)
    throw new Error(`STEWARD_INDEX_DELAY_MS must be a whole number of milliseconds from 0 to ${MAX_INDEX_DELAY_MS}, got "${raw}"`);
  return value;
}

function flag(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw !== 'true' && raw !== 'false') throw new Error(`${name} must be "true" or "false", got "${raw.slice(0, 40)}"`);
  return raw === 'true';
}

/** A switch such as STEWARD_BOOTSTRAP_TOKEN: "on" (the default) or "off". */
function onOff(name: string, raw: string | undefined): 'on' | 'off' {
  if (raw === undefined || raw === '') return 'on';
  if (raw !== 'on' && raw !== 'off') throw new Error(`${name} must be "on" or "off", got "${raw.slice(0, 40)}"`);
  return raw;
}

function legacyLinksUntil(raw: string | undefined): Date | undefined {
  if (raw === undefined || raw === '') return undefined;
  const until = parseInstant(raw);
  if (!until) throw new Error(`STEWARD_ACCEPT_LEGACY_LINKS_UNTIL must be an ISO-8601 instant with an offset, got "${raw.slice(0, 40)}"`);
  return until;
}
