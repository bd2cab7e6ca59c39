import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { customerEmails, sentEmails } from '../../kernel/email-channel.ts';
import type { Runtime, RuntimeOptions } from '../../infra/local/runtime.ts';
import { acme, api, inbox, invoiceInput, removeDataDir, startRuntime, testOptions } from '../support/runtime.ts';

let options: RuntimeOptions;
let runtime: Runtime;
/** The SES emulator keeps its inbox in module state, shared by every runtime of this file: count only what each test sends. */
let earlier = new Set<string>();

beforeEach(async () => {
  options = await testOptions({ inMemory: true });
  runtime = await startRuntime(options);
  earlier = new Set((await inbox(runtime)).map((email) => email.messageId));
  await api(runtime).post('/customers', acme);
});
const received = async () => (await inbox(runtime)).filter((email) => !earlier.has(email.messageId));
afterEach(async () => {
  await runtime?.stop();
  removeDataDir(options);
});

const minutes = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / 60_000;
const faults = (shares: Record<string, number>) => api(runtime).post('/_local/faults', shares);

/** Every email in the SES inbox, as "recipient subject": a duplicate shows as a repeated line. */
const delivered = async () => (await received()).map((email) => `${email.destination.to.join(',')} ${email.subject}`);

describe('faults injected into the local components (STEWARD_FAULTS, /_local/faults)', () => {
  it('refuses a fault setting it cannot apply, naming the field', async () => {
    const client = api(runtime);
    expect((await client.post('/_local/faults', { ses: 2 })).body.error).toMatch(/faults\.ses: must be a number from 0 to 1/);
    expect((await client.post('/_local/faults', { lambda: 0.1 })).body.error).toMatch(/"lambda" is not a component/);
    expect((await client.post('/_local/faults', [])).status).toBe(400);
    expect((await client.get('/_local/faults')).body.faults).toEqual({});
  });

  it('a DynamoDB throttle that outlasts the retries is a 503 with Retry-After, never a 500', async () => {
    const client = api(runtime);
    const { id } = (await client.post('/issues', { customerId: 'acme', title: 'Busy table', severity: 'sev3' })).body;
    await runtime.tracker.idle();
    await faults({ dynamodb: 1 });
    const response = await fetch(`${runtime.urls.api}/issues/${id}/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${runtime.apiToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'note', message: 'While the table is throttled' }),
    });
    expect([response.status, response.headers.get('retry-after')]).toEqual([503, '1']);
    expect(((await response.json()) as { error: string }).error).toMatch(/busy/);
    await faults({});
    expect((await client.post(`/issues/${id}/events`, { type: 'note', message: 'Once it is not' })).status).toBe(202);
  });

  it('DynamoDB down longer than the step retries during a sev1: the failed run is followed by the next, and every escalation still goes out once', async () => {
    const client = api(runtime);
    const { id, createdAt } = (await client.post('/issues', { customerId: 'acme', title: 'Core router down', severity: 'sev1' })).body;
    await client.advance('PT20M'); // acknowledgement and the team lead (15 min) are out
    await faults({ dynamodb: 1 });
    await client.advance('PT11M'); // the 30-minute update is due: every attempt of the step fails
    const first = await runtime.engine.describe('issue-lifecycle', `issue-${id}-g1`);
    expect(first?.status).toBe('FAILED');
    await faults({});

    await client.advance('PT3H40M'); // to 4h11m
    const runs = (await runtime.engine.list('issue-lifecycle')).filter((run) => run.name.startsWith(`issue-${id}-`));
    expect(runs.map((run) => [run.name, run.status])).toContainEqual([`issue-${id}-g1-r2`, 'RUNNING']);
    const restartedAt = runs.find((run) => run.name.endsWith('-r2'))!.startDate;
    // Step Functions' event reaches the sweep function at once; its attempts at 30 and 31 min fail (DynamoDB
    // is still down), Lambda's retry two minutes later restarts the issue: not the next hourly sweep.
    expect(minutes(createdAt, restartedAt)).toBe(33);

    const emails = (await sentEmails(runtime.store, `ISSUE#${id}`)).sort((a, b) => a.sentAt.localeCompare(b.sentAt));
    const at = (template: string) => emails.filter((email) => email.template === template).map((email) => minutes(createdAt, email.sentAt));
    expect(at('acknowledgement')).toEqual([0]);
    expect(at('holding-update')).toEqual([33, 60, 90, 120, 150, 180, 210, 240]); // the 30-minute update late, once
    expect(
      emails.filter((email) => email.template === 'escalation').map((email) => [email.to[0], minutes(createdAt, email.sentAt)]),
    ).toEqual([
      ['tina@provider.test', 15],
      ['sam@provider.test', 60],
      ['dora@provider.test', 240],
    ]);
    const lines = await delivered();
    expect(new Set(lines).size).toBe(lines.length - 7); // 8 holding updates share one subject; nothing else twice
  });

  it('a sev1 and a dunning cycle under 30 % SES and 5 % DynamoDB faults: every expected email once, no workflow lost', {
    timeout: 300_000,
  }, async () => {
    // The step's retries wait their real intervals here (2 s, 4 s, … as on AWS), not zero: an email whose
    // claim could not be given back (a DynamoDB fault) is then sent again within the retries once its
    // one-minute lease has passed in wall time, as on AWS, instead of failing every run at one instant.
    await restart({ retryIntervalMs: undefined });
    const { injected } = await sev1AndDunningCycle(
      () => faults({ ses: 0.3, dynamodb: 0.05 }),
      () => faults({}),
    );
    expect(injected.ses).toBeGreaterThan(0);
    expect(injected.dynamodb).toBeGreaterThan(0);
  });

  it('the same with every index query an hour behind the table (STEWARD_INDEX_DELAY_MS): nothing depends on an index being current', {
    timeout: 300_000,
  }, async () => {
    await restart({ indexDelayMs: 3_600_000 });
    await sev1AndDunningCycle(
      async () => undefined,
      async () => undefined,
    );
    const { dynamodb } = ((await (await fetch(runtime.urls.health)).json()) as { components: { dynamodb: Record<string, number> } })
      .components;
    expect(dynamodb.indexDelayMs).toBe(3_600_000);
    expect(dynamodb.hiddenFromIndexQueries).toBeGreaterThan(0); // the lag was in the way, and nothing was lost
  });

  it('a sev1 opened a moment before the dunning run holds the warning, though no index has seen the issue yet', {
    timeout: 120_000,
  }, async () => {
    await restart({ indexDelayMs: 1000 });
    const client = api(runtime);
    await client.post('/invoices', invoiceInput('F-1', 'acme', '2026-12-01', 480));
    await client.moveTo('2026-12-15T07:59:59.500Z'); // the warning is due at 09:00 in Berlin
    expect((await client.post('/issues', { customerId: 'acme', title: 'Data centre down', severity: 'sev1' })).status).toBe(201);
    await client.moveTo('2026-12-15T12:00:00Z');
    const steps = (await customerEmails(runtime.store, 'acme'))
      .filter((email) => email.template.startsWith('dunning-'))
      .map((email) => `${email.sentAt.slice(0, 10)} ${email.template}`);
    expect(steps).toContain('2026-12-15 dunning-outage-hold');
    expect(steps).not.toContain('2026-12-15 dunning-warning');
  });
});

async function restart(overrides: Partial<RuntimeOptions>) {
  await runtime.stop();
  removeDataDir(options);
  options = await testOptions({ inMemory: true, ...overrides });
  runtime = await startRuntime(options);
  earlier = new Set((await inbox(runtime)).map((email) => email.messageId));
  await api(runtime).post('/customers', acme);
}

/** A sev1 from opening to closure and a dunning cycle to its final notice, with `disturb` on until `calm`. */
async function sev1AndDunningCycle(disturb: () => Promise<unknown>, calm: () => Promise<unknown>) {
  const client = api(runtime);
  await client.post('/invoices', invoiceInput('F-1', 'acme', '2026-12-01', 480));
  await disturb();
  const { id, createdAt } = (await client.post('/issues', { customerId: 'acme', title: 'Core router down', severity: 'sev1' })).body;
  await client.advance('PT4H10M');
  expect((await client.post(`/issues/${id}/events`, { type: 'resolve', rfo: 'A failed line card was replaced.' })).status).toBe(202);
  await client.moveTo('2026-12-23T12:00:00Z');
  const injected = (await client.get('/_local/faults')).body.injected;
  await calm();
  await client.advance('PT2H');

  const issueEmails = (await sentEmails(runtime.store, `ISSUE#${id}`)).sort((a, b) => a.sentAt.localeCompare(b.sentAt));
  const at = (template: string) =>
    issueEmails.filter((email) => email.template === template).map((email) => minutes(createdAt, email.sentAt));
  expect(at('acknowledgement')).toEqual([0]);
  expect(at('holding-update').slice(0, 8)).toEqual([30, 60, 90, 120, 150, 180, 210, 240]);
  expect(issueEmails.filter((email) => email.template === 'escalation').map((email) => email.to[0])).toEqual([
    'tina@provider.test',
    'sam@provider.test',
    'dora@provider.test',
  ]);
  const dunning = (await customerEmails(runtime.store, 'acme'))
    .filter((email) => email.template.startsWith('dunning-'))
    .map((email) => `${email.sentAt.slice(0, 10)} ${email.template}`)
    .sort();
  expect(dunning).toEqual([
    '2026-11-30 dunning-courtesy',
    '2026-12-02 dunning-reminder',
    '2026-12-08 dunning-why',
    '2026-12-15 dunning-notice-call',
    '2026-12-15 dunning-warning',
    '2026-12-22 dunning-final',
    '2026-12-22 dunning-notice-inform',
  ]);
  // What the inbox holds is what the outbox recorded: nothing sent twice, nothing sent unrecorded.
  const recorded = (await customerEmails(runtime.store, 'acme')).length;
  expect((await received()).length).toBe(recorded);
  // No workflow lost: the issue ran to its end (closed once its RFO was accepted), the unpaid customer's cycle runs.
  expect((await client.get(`/issues/${id}`)).body.status).toBe('closed');
  const issueRuns = (await runtime.engine.list('issue-lifecycle')).filter((run) => run.name.startsWith(`issue-${id}-g1`));
  expect(issueRuns[0].status).toBe('SUCCEEDED'); // the newest run
  const cycles = await runtime.engine.list('invoice-dunning', 'RUNNING');
  expect(cycles.some((run) => run.name.startsWith('dunning-acme-g1'))).toBe(true);
  return { injected };
}

describe('long-lived runs (continue as new)', () => {
  it('a run a week old hands over to the next run of the issue; the updates go on, each once', { timeout: 120_000 }, async () => {
    const client = api(runtime);
    const { id } = (await client.post('/issues', { customerId: 'acme', title: 'Slow backups', severity: 'sev2' })).body;
    await client.advance('P8D');
    const runs = (await runtime.engine.list('issue-lifecycle')).filter((run) => run.name.startsWith(`issue-${id}-`));
    expect(runs.map((run) => [run.name, run.status]).sort()).toEqual([
      [`issue-${id}-g1`, 'SUCCEEDED'],
      [`issue-${id}-g1-r2`, 'RUNNING'],
    ]);
    const handedOver = runs.find((run) => run.name.endsWith('-r2'))!.startDate;
    expect(Date.parse(handedOver) - Date.parse(runs.find((run) => run.name.endsWith('-g1'))!.startDate)).toBeGreaterThanOrEqual(
      7 * 86_400_000,
    );
    const before = (await sentEmails(runtime.store, `ISSUE#${id}`)).length;
    await client.advance('P2D');
    const emails = await sentEmails(runtime.store, `ISSUE#${id}`);
    expect(emails.length).toBeGreaterThan(before); // the new run keeps the customer informed
    expect((await received()).length).toBe(emails.length); // nothing twice
  });
});
