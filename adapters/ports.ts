import { SecretsManagerClient, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import type { BlobStore } from '../domain/blob-store.ts';
import type { Clock } from '../domain/clock.ts';
import { linkKey } from '../domain/links.ts';
import { systemClock } from '../domain/clock.ts';
import type { Mailer } from '../domain/mailer.ts';
import type { WorkflowPort } from '../domain/workflow-port.ts';
import { DynamoStore } from './dynamo-store.ts';
import { S3BlobStore } from './s3-blob-store.ts';
import { SesMailer } from './ses-mailer.ts';
import { SfnWorkflows } from './sfn-workflows.ts';

export interface Settings {
  /** Sender of every email, e.g. "Steward <steward@example.com>". */
  fromAddress: string;
  /** Base URL of the API, for links in emails. */
  publicUrl: string;
  /** Bearer token the API and webhooks accept. */
  apiToken(): Promise<string>;
  /** Key that signs customer links and reply addresses (derived from the API secret). */
  linkKey(): Promise<string>;
  /** Where customers write (and reply): replies come back to its plus-addresses. */
  inboundAddress: string;
  /** The signing secret Stripe shows for Steward's webhook endpoint ("whsec_…"). */
  stripeWebhookSecret(): Promise<string>;
  /** Mail from an unknown sender: refused, or filed under this customer id (a triage customer). */
  unknownSender: 'refuse' | { customerId: string };
}

export const parseUnknownSender = (value: string | undefined): Settings['unknownSender'] =>
  !value || value === 'refuse' ? 'refuse' : { customerId: value };

/** Everything a handler talks to. Handlers get these at invocation time, never at import time. */
export interface Ports {
  store: DynamoStore;
  mailer: Mailer;
  workflows: WorkflowPort;
  clock: Clock;
  settings: Settings;
  blobs: BlobStore;
}

let installed: Ports | undefined;

/** The embedded runtime (and tests) install local adapters; on AWS they are built from the environment. */
export function installPorts(ports: Ports | undefined): void {
  installed = ports;
}

export function ports(): Ports {
  installed ??= awsPorts(process.env);
  return installed;
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

function awsPorts(env: NodeJS.ProcessEnv): Ports {
  const secrets = new Map<string, Promise<string>>();
  const secret = (variable: string) => () => {
    let value = secrets.get(variable);
    if (!value) {
      value = new SecretsManagerClient({})
        .send(new GetSecretValueCommand({ SecretId: required(env, variable) }))
        .then((out) => out.SecretString ?? '');
      secrets.set(variable, value);
    }
    return value;
  };
  const apiToken = secret('API_TOKEN_SECRET_ARN');
  return {
    store: new DynamoStore({ tableName: required(env, 'TABLE_NAME') }),
    mailer: new SesMailer(),
    workflows: new SfnWorkflows(JSON.parse(required(env, 'STATE_MACHINE_ARNS'))),
    clock: systemClock,
    settings: {
      fromAddress: required(env, 'FROM_ADDRESS'),
      publicUrl: required(env, 'PUBLIC_URL'),
      apiToken,
      linkKey: async () => linkKey(await apiToken()),
      stripeWebhookSecret: secret('STRIPE_WEBHOOK_SECRET_ARN'),
      inboundAddress: required(env, 'INBOUND_ADDRESS'),
      unknownSender: parseUnknownSender(env.UNKNOWN_SENDER),
    },
    blobs: new S3BlobStore(required(env, 'INBOUND_BUCKET')),
  };
}
