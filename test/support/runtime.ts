import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll } from 'vitest';
import { LOCAL_MAIL_BUCKET, LOCAL_S3_CREDENTIALS } from '../../infra/local/s3-server.ts';
import { INBOUND_PREFIX } from '../../modules/intake/index.ts';
import type { LogFormat } from '../../infra/local/telemetry.ts';
import { startRuntime as startLocalRuntime, type Runtime, type RuntimeOptions } from '../../infra/local/runtime.ts';
import { freePort } from './dynamodb.ts';
import { run } from './real-clients.ts';

/**
 * Where every test runtime's manual clock starts unless a test says otherwise: a fixed instant, so no
 * test depends on the machine's date (Monday 2 November 2026, 09:00 in Berlin).
 */
export const TEST_CLOCK_START = new Date('2026-11-02T08:00:00Z');

export async function testOptions(overrides: Partial<RuntimeOptions> = {}): Promise<RuntimeOptions> {
  return {
    port: await freePort(),
    dynamodbPort: await freePort(),
    sesPort: await freePort(),
    smtpPort: await freePort(),
    sfnPort: await freePort(),
    s3Port: await freePort(),
    dataDir: mkdtempSync(join(tmpdir(), 'steward-test-')),
    inMemory: false,
    clock: 'manual',
    clockStart: TEST_CLOCK_START,
    apiToken: 'test-token',
    fromAddress: 'Steward <steward@steward.localhost>',
    inboundAddress: 'support@steward.localhost',
    retryIntervalMs: 0,
    // Lines are kept in runtime.telemetry.records; STEWARD_TEST_LOGS=readable (or json) prints them too.
    logFormat: (process.env.STEWARD_TEST_LOGS as LogFormat | undefined) ?? 'silent',
    ...overrides,
  };
}

export function removeDataDir(options: RuntimeOptions): void {
  rmSync(options.dataDir, { recursive: true, force: true });
}

/** An Alertmanager webhook body with one firing alert for acme. */
export const alertmanagerAlert = (fingerprint: string, labels: Record<string, string> = { alertname: 'DiskFull', severity: 'warning' }) =>
  JSON.stringify({
    version: '4',
    groupKey: 'g',
    status: 'firing',
    receiver: 'steward',
    commonLabels: { customer: 'acme' },
    alerts: [{ status: 'firing', labels, startsAt: '2026-11-02T08:00:00Z', fingerprint }],
  });

/** A small client of the running API, as a user's script would call it. */
export function api(runtime: Runtime) {
  const call = async (method: string, path: string, body?: unknown, token = runtime.apiToken) => {
    const response = await fetch(runtime.urls.api + path, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };
  /** Moves the manual clock; a refused move fails the test at once, with the runtime's reason. */
  const moveClock = async (move: { advance: string } | { to: string }) => {
    const response = await call('POST', '/_local/clock', move);
    if (response.status !== 200)
      throw new Error(`clock move ${JSON.stringify(move)} refused (${response.status}): ${JSON.stringify(response.body)}`);
    return response.body.now as string;
  };
  return {
    call,
    get: (path: string) => call('GET', path),
    post: (path: string, body?: unknown) => call('POST', path, body),
    advance: (duration: string) => moveClock({ advance: duration }),
    moveTo: (instant: string) => moveClock({ to: instant }),
    now: async () => (await call('GET', '/_local/clock')).body.now as string,
  };
}

/** The keys of the raw inbound messages in the mail bucket, read over the S3 API as any S3 client would. */
export async function storedInboundMail(runtime: Runtime): Promise<string[]> {
  const s3 = new S3Client({
    endpoint: runtime.urls.s3,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: LOCAL_S3_CREDENTIALS,
  });
  // The SDK asks for a bucket as "/<bucket>/"; s3rver signs it as "/<bucket>" (both are valid S3 paths).
  s3.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { path?: string };
      if (request.path && /^\/[^/]+\/$/.test(request.path)) request.path = request.path.slice(0, -1);
      return next(args);
    },
    { step: 'build' },
  );
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: LOCAL_MAIL_BUCKET, Prefix: INBOUND_PREFIX, ContinuationToken: token }));
    keys.push(...(page.Contents ?? []).map((object) => object.Key!));
    token = page.NextContinuationToken;
  } while (token);
  s3.destroy();
  return keys.sort();
}

export interface InboxEmail {
  messageId: string;
  subject: string;
  destination: { to: string[] };
  replyTo?: string[];
  headers?: { name: string; value: string }[];
  body: { text?: string; html?: string };
}

/**
 * Sends mail into the runtime's SMTP listener with swaks (`args`: --from, --to, --header, --body …).
 * swaks runs in its own process, answered asynchronously from this one; then the runtime finishes
 * what the message started.
 */
export async function sendMail(env: { options: RuntimeOptions; runtime: Runtime }, args: string[]) {
  const result = await run('swaks', [
    '--server',
    '127.0.0.1',
    '--port',
    String(env.options.smtpPort),
    '--timeout',
    '20',
    '--helo',
    'client.test',
    ...args,
  ]);
  await env.runtime.tracker.idle();
  return result;
}

export async function inbox(runtime: Runtime): Promise<InboxEmail[]> {
  const response = await fetch(runtime.urls.sesStore);
  return ((await response.json()) as { emails: InboxEmail[] }).emails;
}

export const acme = {
  id: 'acme',
  name: 'ACME Corp',
  tier: 'gold',
  timezone: 'Europe/Berlin',
  country: 'DE',
  emailDomains: ['acme.test'],
  contacts: [
    { name: 'Ann Admin', email: 'ann@acme.test', roles: ['technical'] },
    { name: 'Bill Payer', email: 'bill@acme.test', roles: ['billing'] },
  ],
  team: {
    teamLead: { name: 'Tina Lead', email: 'tina@provider.test' },
    serviceManager: { name: 'Sam Manager', email: 'sam@provider.test' },
    director: { name: 'Dora Director', email: 'dora@provider.test' },
  },
};

/**
 * Starts the embedded runtime; when a port was taken meanwhile, again with fresh ports (written
 * back into `options`). A port found free can be handed to another process's outgoing connection
 * before the runtime binds it, and two test files run at once.
 */
export async function startRuntime(options: RuntimeOptions): Promise<Runtime> {
  for (let attempt = 1; ; attempt++) {
    try {
      return failingOnRefusedTableCalls(await startLocalRuntime(options));
    } catch (error) {
      if (attempt >= 3 || !/EADDRINUSE|Address already in use/.test(String((error as Error).message))) throw error;
      Object.assign(options, {
        port: await freePort(),
        dynamodbPort: await freePort(),
        sesPort: await freePort(),
        smtpPort: await freePort(),
        sfnPort: await freePort(),
        s3Port: await freePort(),
      });
    }
  }
}

/**
 * Every test's runtime proves the functions' declared table keys complete: stopping it fails when
 * the table refused a call outside a function's declaration, even one a handler caught and survived.
 */
function failingOnRefusedTableCalls(runtime: Runtime): Runtime {
  const stop = runtime.stop;
  runtime.stop = async () => {
    await stop();
    const refused = [...new Set(runtime.tableAccess.refused)];
    if (refused.length)
      throw new Error(
        `the table refused calls outside the functions' declared keys (functions/<name>/function.ts):\n${refused.join('\n')}`,
      );
  };
  return runtime;
}

/** A domain and a contact of a customer's own: an address or a domain belongs to one customer only. */
export const ownAddresses = (id: string) => ({
  emailDomains: [`${id}.test`],
  contacts: [{ name: `Ops ${id}`, email: `ops@${id}.test`, roles: ['technical'] }],
});

/** An invoice as POST /invoices takes it: in EUR, issued 1 November 2026, nothing paid. */
export const invoiceInput = (id: string, customerId: string, dueDate: string, amount: number) => ({
  id,
  customerId,
  issueDate: '2026-11-01',
  dueDate,
  currency: 'EUR',
  amount,
  amountPaid: 0,
});

/** The link of one action in an email's text ("accept", "dispute" or "escalate"). */
export function linkIn(text: string | undefined, action: 'accept' | 'dispute' | 'escalate'): string {
  const label = { accept: 'Accept this reason for outage', dispute: 'Dispute it', escalate: 'Escalate to our management' }[action];
  const match = new RegExp(`${label}[^:]*: (\\S+/links/\\S+)`).exec(text ?? '');
  if (!match) throw new Error(`no ${action} link in:\n${text}`);
  return match[1];
}

/** Submits a customer link's form as a browser would. */
export async function submitLink(url: string, comment?: string): Promise<{ status: number; text: string }> {
  const response = await fetch(url, { method: 'POST', body: new URLSearchParams(comment ? { comment } : {}) });
  return { status: response.status, text: await response.text() };
}

/** The newest email in the inbox to `to` whose subject contains `subject`. */
export async function latestEmail(runtime: Runtime, to: string, subject: string): Promise<InboxEmail> {
  const found = (await inbox(runtime)).filter((email) => email.destination.to.includes(to) && email.subject.includes(subject)).at(-1);
  if (!found) throw new Error(`no email to ${to} with "${subject}"`);
  return found;
}

/**
 * For a test file: an in-memory runtime on the manual clock (starting at `clockStart`, a fixed instant)
 * with the acme customer, started before the file's tests and stopped after. Read `env.runtime`, `env.client`, `env.options` inside tests.
 */
export function useRuntime({
  clockStart = TEST_CLOCK_START,
  setup,
  options,
}: {
  clockStart?: Date | string;
  setup?: (client: ReturnType<typeof api>) => Promise<unknown>;
  /** Other runtime options, e.g. `unknownSender: 'refuse'`. */
  options?: Partial<RuntimeOptions>;
} = {}) {
  const env = {} as { options: RuntimeOptions; runtime: Runtime; client: ReturnType<typeof api> };
  beforeAll(async () => {
    env.options = await testOptions({ inMemory: true, clockStart: new Date(clockStart), ...options });
    env.runtime = await startRuntime(env.options);
    env.client = api(env.runtime);
    await env.client.post('/customers', acme);
    await setup?.(env.client);
  });
  afterAll(async () => {
    await env.runtime?.stop();
    if (env.options) removeDataDir(env.options);
  });
  return env;
}
