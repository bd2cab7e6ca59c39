import { S3BlobStore } from '../../kernel/aws/s3-blob-store.ts';
import { SecretsManagerSecrets } from '../../kernel/aws/secrets-manager.ts';
import { SesMailer, sendingRate } from '../../kernel/aws/ses-mailer.ts';
import { SfnWorkflows } from '../../kernel/aws/sfn-workflows.ts';
import { SchedulerTimers } from '../../kernel/aws/scheduler-timers.ts';
import type { BlobStore } from '../../kernel/blob-store.ts';
import { systemClock, type Clock } from '../../kernel/clock.ts';
import { parseUnknownSender, type SettingName, type Settings, type SignInSettings } from '../../kernel/deps.ts';
import { DynamoStore } from '../../kernel/dynamo-store.ts';
import { legacyLinkKey } from '../../kernel/links.ts';
import { verifying } from '../../kernel/secrets.ts';
import type { Mailer } from '../../kernel/mailer.ts';
import type { Telemetry } from '../../kernel/telemetry.ts';
import type { TimerPort } from '../../kernel/timer-port.ts';
import type { WorkflowPort } from '../../kernel/workflow-port.ts';
import type { IndexPartition, Partition } from '../table-schema.ts';

/**
 * What a function needs, declared next to its handler (`functions/<name>/function.ts`). One
 * declaration drives all three: CDK grants exactly these and passes only their environment, the
 * AWS composition root (`create`) builds only these clients (so a bundle holds only their SDKs), and
 * the embedded runtime hands the function only these, as strictly as IAM would.
 */
type Env = NodeJS.ProcessEnv;
interface NeedBase<K extends string, T> {
  kind: K;
  /** Builds the dependency on AWS from the function's environment; it counts what it does in `telemetry`. */
  create(env: Env, telemetry: Telemetry): T;
}
export type Access = 'read' | 'read-write';
/**
 * What a function may do in the single table, by partition: each entry an exact partition key
 * ("COUNTER") or a prefix and `*` ("ISSUE#*"), as IAM's `dynamodb:LeadingKeys` condition reads it.
 * CDK grants exactly these; the embedded runtime refuses every call outside them.
 */
export interface TableKeys {
  /** GetItem, BatchGetItem, Query, and ConditionCheckItem (a condition in a transaction). */
  read: Partition[];
  /** PutItem and UpdateItem. */
  write?: Partition[];
  /** DeleteItem. */
  delete?: Partition[];
  /** Query on an index, by index name: the index partition keys it reads. */
  indexes?: Record<string, IndexPartition[]>;
}
/** The DynamoDB actions each group of a declaration grants; nothing grants Scan or BatchWriteItem. */
export const TABLE_ACTIONS = {
  read: ['GetItem', 'BatchGetItem', 'Query', 'ConditionCheckItem'],
  write: ['PutItem', 'UpdateItem'],
  delete: ['DeleteItem'],
} as const satisfies Record<Exclude<keyof TableKeys, 'indexes'>, readonly string[]>;
export type TableNeed = NeedBase<'table', DynamoStore> & { keys: TableKeys };
export type EmailNeed = NeedBase<'email', Mailer>;
export type WorkflowsNeed = NeedBase<'workflows', WorkflowPort> & { start: string[]; signal: string[] };
export type SettingsNeed = NeedBase<'settings', Settings> & { names: SettingName[] };
export type BlobsNeed = NeedBase<'blobs', BlobStore> & { access: Access; prefix: string };
export type TimersNeed = NeedBase<'timers', TimerPort>;
export type Need = TableNeed | EmailNeed | WorkflowsNeed | SettingsNeed | BlobsNeed | TimersNeed;

export interface Needs {
  store?: TableNeed;
  mailer?: EmailNeed;
  workflows?: WorkflowsNeed;
  settings?: SettingsNeed;
  blobs?: BlobsNeed;
  timers?: TimersNeed;
}

/** The dependencies a declaration gives its handler: what it declared, the clock and telemetry. */
export type DepsOf<N extends Needs> = { [K in keyof N]-?: N[K] extends NeedBase<string, infer T> ? T : never } & {
  clock: Clock;
  telemetry: Telemetry;
};

export interface FunctionDeclaration<N extends Needs = Needs> {
  timeoutSeconds: number;
  memoryMb: number;
  /**
   * Invoked asynchronously (a schedule, SES, SNS, an event rule): Lambda retries a failed event
   * twice, then sends it to the failed-events destination, on AWS and in the embedded runtime.
   */
  asynchronous: boolean;
  needs: N;
}

/** API Gateway answers 503 after 30 s; a function behind it must stop well before, or it may commit after the client gave up. */
export const API_FUNCTION_TIMEOUT_SECONDS = 25;

export function defineFunction<N extends Needs>(declaration: {
  timeoutSeconds?: number;
  memoryMb?: number;
  asynchronous?: boolean;
  needs: N;
}): FunctionDeclaration<N> {
  return { timeoutSeconds: 30, memoryMb: 256, asynchronous: false, ...declaration };
}

export function required(env: Env, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

/** The single table, in the partitions named. */
export const table = (keys: TableKeys): TableNeed => ({
  kind: 'table',
  keys,
  create: (env) => new DynamoStore({ tableName: required(env, 'TABLE_NAME') }),
});

/** Sending email through SES, paced to SES_MAX_RATE per second in each function instance when set. */
export const email = (): EmailNeed => ({
  kind: 'email',
  create: (env, telemetry) =>
    new SesMailer(
      {},
      { maxPerSecond: sendingRate(env.SES_MAX_RATE, 'SES_MAX_RATE'), configurationSet: env.SES_CONFIGURATION_SET, telemetry },
    ),
});

/** Workflows it starts (StartExecution, DescribeExecution, StopExecution) and signals (SendTaskSuccess/Failure). */
export const workflows = (spec: { start?: string[]; signal?: string[] }): WorkflowsNeed => ({
  kind: 'workflows',
  start: spec.start ?? [],
  signal: spec.signal ?? [],
  create: (env, telemetry) => new SfnWorkflows(JSON.parse(required(env, 'STATE_MACHINE_ARNS')), undefined, telemetry),
});

/**
 * One-time schedules that answer its workflows' callback tasks at a deadline (the case loop's
 * timers), in Steward's schedule group, fired with the timer role.
 */
export const timers = (): TimersNeed => ({
  kind: 'timers',
  create: (env) => new SchedulerTimers(required(env, 'TIMER_GROUP'), required(env, 'TIMER_ROLE_ARN')),
});

/** The inbound mail bucket, under one prefix. */
export const blobs = (access: Access, prefix: string): BlobsNeed => ({
  kind: 'blobs',
  access,
  prefix,
  create: (env) => new S3BlobStore(required(env, 'INBOUND_BUCKET')),
});

/** The settings it reads; secrets among them are read from Secrets Manager, again every few minutes. */
export const settings = (...names: SettingName[]): SettingsNeed => ({ kind: 'settings', names, create: (env) => awsSettings(env, names) });

/** Settings a function reads, by environment variable (the secrets by ARN). */
export const settingVariables: Record<SettingName, string> = {
  fromAddress: 'FROM_ADDRESS',
  publicUrl: 'PUBLIC_URL',
  apiToken: 'API_TOKEN_SECRET_ARN',
  apiTokens: 'API_TOKEN_SECRET_ARN',
  linkKey: 'LINK_KEY_SECRET_ARN',
  linkKeys: 'LINK_KEY_SECRET_ARN',
  webhooksAcceptApiToken: 'WEBHOOKS_ACCEPT_API_TOKEN',
  bootstrapTokenOff: 'BOOTSTRAP_TOKEN',
  inboundAddress: 'INBOUND_ADDRESS',
  stripeWebhookSecret: 'STRIPE_WEBHOOK_SECRET_ARN',
  unknownSender: 'UNKNOWN_SENDER',
  signIn: 'OIDC_ISSUER',
};

/** The other variables of the sign-in setting, beside OIDC_ISSUER. */
export const SIGN_IN_VARIABLES = ['OIDC_AUDIENCES', 'OIDC_EMAIL_CLAIM', 'ADMIN_EMAIL'] as const;
/** Beside UNKNOWN_SENDER: the address of the built-in triage customer's desk. */
export const TRIAGE_DESK_VARIABLE = 'TRIAGE_DESK';

/** OIDC_ISSUER, OIDC_AUDIENCES (comma-separated client ids), OIDC_EMAIL_CLAIM, ADMIN_EMAIL; none without an issuer. */
export function signInFromEnv(env: Env): SignInSettings | undefined {
  if (!env.OIDC_ISSUER) return undefined;
  const audiences = (env.OIDC_AUDIENCES ?? '')
    .split(',')
    .map((audience) => audience.trim())
    .filter(Boolean);
  if (!audiences.length) throw new Error('OIDC_ISSUER is set but OIDC_AUDIENCES names no client id');
  return {
    issuer: env.OIDC_ISSUER,
    audiences,
    ...(env.OIDC_EMAIL_CLAIM ? { emailClaim: env.OIDC_EMAIL_CLAIM } : {}),
    ...(env.ADMIN_EMAIL ? { adminEmail: env.ADMIN_EMAIL } : {}),
  };
}

/** A Settings object with only the declared names; reading any other fails, as a missing grant would. */
export function declaredSettings(names: SettingName[], all: Settings): Settings {
  return new Proxy(all, {
    get(target, name) {
      if (typeof name === 'string' && name in target && !names.includes(name as SettingName)) {
        throw new Error(`setting "${name}" is not declared in this function's needs`);
      }
      return Reflect.get(target, name);
    },
  });
}

/** Until this date (`-c acceptLegacyLinks=`), links signed before the link key had a secret of its own still verify. */
const legacyLinksAccepted = (env: Env) => !!env.ACCEPT_LEGACY_LINKS_UNTIL && Date.now() < Date.parse(env.ACCEPT_LEGACY_LINKS_UNTIL);

function awsSettings(env: Env, names: SettingName[]): Settings {
  const secrets = new SecretsManagerSecrets();
  const versions = (variable: string) => () => secrets.versions(required(env, variable));
  const apiToken = versions('API_TOKEN_SECRET_ARN');
  const link = versions('LINK_KEY_SECRET_ARN');
  let signIn: { value: SignInSettings | undefined } | undefined;
  return declaredSettings(names, {
    get fromAddress() {
      return required(env, 'FROM_ADDRESS');
    },
    get publicUrl() {
      return required(env, 'PUBLIC_URL');
    },
    apiToken: async () => (await apiToken()).current,
    apiTokens: async () => verifying(await apiToken()),
    linkKey: async () => (await link()).current,
    linkKeys: async () => [...verifying(await link()), ...(legacyLinksAccepted(env) ? [legacyLinkKey((await apiToken()).current)] : [])],
    stripeWebhookSecret: async () => (await versions('STRIPE_WEBHOOK_SECRET_ARN')()).current,
    get inboundAddress() {
      return required(env, 'INBOUND_ADDRESS');
    },
    get unknownSender() {
      return parseUnknownSender(env.UNKNOWN_SENDER, env.TRIAGE_DESK);
    },
    get webhooksAcceptApiToken() {
      return env.WEBHOOKS_ACCEPT_API_TOKEN === 'true';
    },
    get bootstrapTokenOff() {
      return env.BOOTSTRAP_TOKEN === 'off';
    },
    get signIn() {
      signIn ??= { value: signInFromEnv(env) };
      return signIn.value;
    },
  });
}

/** Builds a declaration's dependencies on AWS; each is made on first use, one client per service. */
export function awsDeps<N extends Needs>(needs: N, telemetry: Telemetry, env: Env = process.env): DepsOf<N> {
  const deps = { clock: systemClock, telemetry } as Record<string, unknown>;
  for (const [name, need] of Object.entries(needs) as [string, Need][]) {
    let made: unknown;
    Object.defineProperty(deps, name, { enumerable: true, get: () => (made ??= need.create(env, telemetry)) });
  }
  return deps as DepsOf<N>;
}
