import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../../kernel/telemetry.ts';
import { alertmanagerAlert, latestEmail, linkIn, submitLink, useRuntime } from '../support/runtime.ts';

const env = useRuntime();

const lines = (match: (record: LogRecord) => boolean) => env.runtime.telemetry.records.filter(match);

describe('logs and metrics in the embedded runtime', () => {
  it('an alert: its lines name the function, the request, the issue and the customer; the counts reach GET /_local/metrics', async () => {
    const response = await fetch(`${env.runtime.urls.api}/webhooks/alertmanager`, {
      method: 'POST',
      headers: { authorization: `Bearer ${env.runtime.apiToken}`, 'content-type': 'application/json' },
      body: alertmanagerAlert('tel-1', { alertname: 'DiskFull', severity: 'critical' }),
    });
    expect(response.status).toBe(202);
    const issueId = ((await response.json()) as { alerts: { issueId: string }[] }).alerts[0].issueId;
    await env.runtime.tracker.idle();

    const [alert] = lines((record) => record.message === 'alert');
    expect(alert).toMatchObject({
      level: 'INFO',
      attributes: { function_name: 'webhooks', issueId, customerId: 'acme', integration: 'alertmanager', outcome: 'opened' },
    });
    expect(alert.attributes.function_request_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(alert.attributes.apiRequestId).toEqual(expect.any(String));
    // The acknowledgement went out from the workflow's step: that line carries the issue from the step's input.
    const sent = lines((record) => record.message === 'email sent' && record.attributes.function_name === 'issue-step');
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.every((record) => record.attributes.issueId === issueId && typeof record.attributes.messageId === 'string')).toBe(true);

    const metrics = await env.client.get('/_local/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.body.metrics).toMatchObject({ AlertsIngested: 1, ExecutionsStarted: 1, EmailsSent: sent.length });
    expect(metrics.body.metrics.EmailsFailed).toBeUndefined();
    expect((await env.client.call('GET', '/_local/metrics', undefined, 'wrong')).status).toBe(401);
  });

  it('a customer link: used and refused links are lines of the api function with the issue; used ones are counted', async () => {
    const opened = await env.client.post('/issues', { customerId: 'acme', title: 'VPN down', severity: 'sev3', description: 'x' });
    const id = opened.body.id as string;
    await env.runtime.tracker.idle();
    await env.client.post(`/issues/${id}/events`, { type: 'resolve', rfo: 'A certificate expired.' });
    await env.runtime.tracker.idle();
    const resolution = await latestEmail(env.runtime, 'ann@acme.test', `[${id}] Resolved`);
    expect((await submitLink(linkIn(resolution.body.text, 'accept'))).status).toBe(200);
    expect((await fetch(`${env.runtime.urls.api}/links/forged.token`)).status).toBe(400);

    expect(lines((record) => record.message === 'link acted on')).toEqual([
      expect.objectContaining({ attributes: expect.objectContaining({ function_name: 'api', issueId: id, linkAction: 'accept-rfo' }) }),
    ]);
    expect(lines((record) => record.message === 'link refused')).toHaveLength(1);
    expect(env.runtime.telemetry.metrics().LinksUsed).toBe(1);
  });
});
