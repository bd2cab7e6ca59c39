import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SesMailer, sendingRate } from '../../kernel/aws/ses-mailer.ts';
import type { Runtime, RuntimeOptions } from '../../infra/local/runtime.ts';
import { acme, api, inbox, removeDataDir, startRuntime, TEST_CLOCK_START, testOptions } from '../support/runtime.ts';

let options: RuntimeOptions;
let runtime: Runtime;

beforeAll(async () => {
  options = await testOptions();
  runtime = await startRuntime(options);
});
afterAll(async () => {
  await runtime?.stop();
  removeDataDir(options);
});

describe('embedded runtime', () => {
  it('answers /health with every component up, without auth', async () => {
    const response = await fetch(runtime.urls.health);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { status: string; components: Record<string, unknown> };
    expect(body.status).toBe('ok');
    expect(Object.keys(body.components).sort()).toEqual([
      'clock',
      'dynamodb',
      'faults',
      'functions',
      'http',
      's3',
      'scheduler',
      'ses',
      'smtp',
      'workflows',
    ]);
    expect(body.components.workflows).toMatchObject({ endpoint: runtime.urls.sfn });
    expect(body.components.s3).toMatchObject({ status: 'up', endpoint: runtime.urls.s3, bucket: 'steward-inbound-mail' });
  });

  it('paces sends to a configured rate (STEWARD_SES_MAX_RATE), and refuses a rate it cannot use', async () => {
    const paced = new SesMailer(
      { endpoint: runtime.urls.sesInbox, region: 'us-east-1', credentials: { accessKeyId: 'l', secretAccessKey: 'l' } },
      { maxPerSecond: 20 },
    );
    const email = { from: 'steward@steward.localhost', to: ['pace@acme.test'], subject: 'pace', text: 't', html: '<p>t</p>' };
    const started = performance.now();
    await Promise.all(Array.from({ length: 11 }, () => paced.send(email)));
    // Eleven sends at 20 per second take at least ten intervals of 50 ms, however fast SES answers.
    expect(performance.now() - started).toBeGreaterThanOrEqual(490);
    expect(paced.counts).toEqual({ sent: 11, retried: 0, failed: 0 });
    expect(() => sendingRate('0', 'STEWARD_SES_MAX_RATE')).toThrow(/STEWARD_SES_MAX_RATE must be a number of emails per second above 0/);
    expect(() => sendingRate('fast', 'STEWARD_SES_MAX_RATE')).toThrow(/got "fast"/);
    expect(sendingRate('', 'STEWARD_SES_MAX_RATE')).toBeUndefined();
  });

  it('serves the SES emulator inbox page', async () => {
    const response = await fetch(runtime.urls.sesInbox);
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/<html/i);
  });

  it('moves the manual clock by an ISO-8601 duration and to a timestamp, never back', async () => {
    const client = api(runtime);
    const before = Date.parse((await client.get('/_local/clock')).body.now);
    expect(before).toBe(TEST_CLOCK_START.getTime()); // where testOptions starts it, whatever the machine's date
    expect(Date.parse(await client.advance('PT2H')) - before).toBe(2 * 3600 * 1000);
    const after = Date.parse((await client.get('/_local/clock')).body.now);
    expect(after - before).toBe(2 * 3600 * 1000);
    const target = new Date(after + 86_400_000).toISOString();
    expect((await client.post('/_local/clock', { to: target })).body.now).toBe(target);
    expect((await client.post('/_local/clock', { to: new Date(after).toISOString() })).status).toBe(400);
    expect((await client.post('/_local/clock', { advance: 'two hours' })).status).toBe(400);
    expect((await client.post('/_local/clock', null)).status).toBe(400);
    const zoneless = await client.post('/_local/clock', { to: new Date(after + 2 * 86_400_000).toISOString().replace('Z', '') });
    expect(zoneless.status).toBe(400);
    expect(zoneless.body.error).toMatch(/offset/);
    expect((await client.post('/_local/clock', { advance: 'PT1H', to: target })).status).toBe(400);
    // Every timer on the way fires: a century would block the runtime for hours.
    const century = await client.post('/_local/clock', { advance: 'P99999D' });
    expect(century.status).toBe(400);
    expect(century.body.error).toMatch(/at most 400 days per request/);
    expect((await client.post('/_local/clock', { to: '2200-01-01T00:00:00Z' })).status).toBe(400);
    expect((await client.get('/_local/clock')).body.now).toBe(target);
  });

  it('rejects API calls without the bearer token, and bad input with a reason', async () => {
    const client = api(runtime);
    expect((await client.call('GET', '/issues', undefined, 'wrong')).status).toBe(401);
    const missing = await client.post('/issues', { customerId: 'acme', severity: 'sev9' });
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatch(/title/);
    expect(missing.body.error).toMatch(/severity/);
    expect((await client.post('/issues', '{not json')).status).toBe(400);
    expect((await client.get('/issues/ISS-999999')).status).toBe(404);
    // Malformed percent-encoding, over-long ids and keys, and numbers past exact doubles are 400s, never 500s.
    expect((await fetch(`${runtime.urls.api}/links/%ZZ`)).status).toBe(400);
    const longId = await client.get(`/customers/${'c'.repeat(2100)}`);
    expect([longId.status, longId.body.details]).toEqual([400, [{ field: 'id', problem: 'longer than 200 characters' }]]);
    expect((await client.get(`/invoices/${'i'.repeat(2100)}`)).status).toBe(400);
    const longKey = await fetch(`${runtime.urls.api}/issues/ISS-1001/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${runtime.apiToken}`, 'idempotency-key': 'k'.repeat(1100) },
      body: JSON.stringify({ type: 'note', message: 'x' }),
    });
    expect(longKey.status).toBe(400);
    const huge = await client.post('/invoices', {
      id: 'H-1',
      customerId: 'acme',
      issueDate: '2026-11-01',
      dueDate: '2026-12-01',
      currency: 'EUR',
      amount: 1e21,
    });
    expect([huge.status, huge.body.details?.[0]?.field]).toEqual([400, 'amount']);
    const unknownCustomer = await client.post('/issues', { customerId: 'nobody', title: 'x', severity: 'sev3' });
    expect(unknownCustomer.status).toBe(400);
    expect(unknownCustomer.body.error).toMatch(/customerId/);
  });

  it('runs the issue workflow through the same handlers: acknowledgement at once, closure on close, each email once', async () => {
    const client = api(runtime);
    expect((await client.post('/customers', acme)).status).toBeLessThan(300);
    const created = await client.post('/issues', { customerId: 'acme', title: 'VPN down', severity: 'sev2' });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect(id).toMatch(/^ISS-\d+$/);
    await runtime.tracker.idle();

    const ack = (await inbox(runtime)).filter((email) => email.subject.startsWith(`[${id}]`));
    expect(ack).toHaveLength(1);
    expect(ack[0].destination.to).toEqual(['ann@acme.test']);
    expect(ack[0].headers).toContainEqual({ name: 'Auto-Submitted', value: 'auto-generated' });

    // The same event delivered twice: the second is refused and nothing is sent twice.
    expect((await client.post(`/issues/${id}/events`, { type: 'close' })).status).toBe(202);
    expect((await client.post(`/issues/${id}/events`, { type: 'close' })).status).toBe(409);
    await runtime.tracker.idle();
    const emails = (await inbox(runtime)).filter((email) => email.subject.startsWith(`[${id}]`));
    expect(emails.map((email) => email.subject)).toEqual([`[${id}] We are working on: VPN down`, `[${id}] Closed: VPN down`]);

    const issue = await client.get(`/issues/${id}`);
    expect(issue.body.status).toBe('closed');
    expect(issue.body.timeline.map((entry: { type: string }) => entry.type)).toEqual(expect.arrayContaining(['opened', 'close', 'email']));
    // Who did it travels from the bearer check to what the service writes.
    const by = Object.fromEntries(
      issue.body.timeline
        .filter((entry: { by?: unknown }) => entry.by)
        .map((entry: { type: string; by: unknown }) => [entry.type, entry.by]),
    );
    const bootstrap = { kind: 'api-token', id: 'api-token', name: 'bootstrap API token' };
    expect(by).toEqual({ opened: bootstrap, close: bootstrap });
    const execution = await client.get(`/_local/executions/issue-lifecycle/issue-${id}-g1`);
    expect(execution.body.status).toBe('SUCCEEDED');
    const listed = (await client.get('/_local/executions?workflow=issue-lifecycle&status=SUCCEEDED')).body;
    expect(listed.executions.map((entry: { name: string }) => entry.name)).toContain(`issue-${id}-g1`);
    expect(listed.executions.every((entry: { status: string }) => entry.status === 'SUCCEEDED')).toBe(true);
    expect((await client.get('/_local/executions?status=DONE')).status).toBe(400);
    expect((await client.get('/_local/executions?workflow=nope')).body.error).toMatch(/^workflow: one of /);
    // Bounded and answered: a malformed percent-encoding and an over-long name are 400s (both once never answered).
    const within5s = (path: string) =>
      fetch(runtime.urls.api + path, { headers: { authorization: `Bearer ${runtime.apiToken}` }, signal: AbortSignal.timeout(5_000) });
    expect((await within5s('/_local/executions/%E0%A4%A/x')).status).toBe(400);
    const long = await within5s(`/_local/executions/issue-lifecycle/${'n'.repeat(5_000)}`);
    expect([long.status, ((await long.json()) as { error: string }).error]).toEqual([400, 'name: at most 80 characters']);
    expect((await within5s('/_local/executions/issue-lifecycle/no-such-run')).status).toBe(404);

    const history = await client.get('/customers/acme');
    expect(history.body.history.issues.map((entry: { id: string }) => entry.id)).toContain(id);
    expect(
      history.body.history.emails.filter((email: { messageId: string }) => emails.some((e) => e.messageId === email.messageId)),
    ).toHaveLength(2);
  });

  it('a title with CR/LF never adds a header to an email; link pages forbid framing and everything but their own style and form', async () => {
    const client = api(runtime);
    const created = await client.post('/issues', { customerId: 'acme', title: 'VPN down\r\nBcc: someone@evil.test', severity: 'sev3' });
    expect(created.status).toBe(201);
    await runtime.tracker.idle();
    const ack = (await inbox(runtime)).find((email) => email.subject.startsWith(`[${created.body.id}]`))!;
    expect(ack.subject).toBe(`[${created.body.id}] We are working on: VPN down Bcc: someone@evil.test`);
    expect(JSON.stringify(ack.destination)).not.toContain('evil.test');
    const page = await fetch(`${runtime.urls.api}/links/not-a-token`);
    expect(page.status).toBe(400);
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(page.headers.get('x-frame-options')).toBe('DENY');
  });

  it('fires the schedules on the manual clock', async () => {
    const before = runtime.scheduler.fired.length;
    await api(runtime).advance('PT2H');
    const fired = runtime.scheduler.fired.slice(before).map((run) => run.name);
    expect(fired.filter((name) => name === 'reconcile-workflows')).toHaveLength(2); // hourly at :07
    expect(fired.filter((name) => name === 'dunning-run')).toHaveLength(2); // hourly at :00
  });
});
