import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { useRuntime } from '../support/runtime.ts';

// Refusing alerts for no known customer is what this file checks; the default files them under triage (triage.test.ts).
const env = useRuntime({ options: { unknownSender: 'refuse' } });

const send = async (path: string, body: string, headers: Record<string, string> = {}) => {
  const response = await fetch(env.runtime.urls.api + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  const text = await response.text();
  await env.runtime.tracker.idle();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
};
const bearer = () => ({ authorization: `Bearer ${env.runtime.apiToken}` });
const issueCount = async () => (await env.client.get('/issues?customerId=acme')).body.issues.length;
const issue = async (id: string) => (await env.client.get(`/issues/${id}`)).body;

const grafanaPayload = (status: 'firing' | 'resolved') =>
  JSON.stringify({
    receiver: 'steward',
    status,
    orgId: 1,
    groupKey: '{}:{alertname="DiskFull"}',
    title: '[FIRING:1] DiskFull',
    state: 'alerting',
    message: 'Disk almost full',
    alerts: [
      {
        status,
        labels: { alertname: 'DiskFull', customer: 'acme', severity: 'warning' },
        annotations: { summary: 'Disk full on db-1' },
        startsAt: '2026-11-24T05:00:00Z',
        fingerprint: 'f00dfeed',
      },
    ],
  });

describe('monitoring webhooks', () => {
  it('Grafana: HMAC over "timestamp:body" with a replay window; a bad signature stores nothing', async () => {
    const body = grafanaPayload('firing');
    const timestamp = String(Math.floor(Date.now() / 1000));
    const sign = (ts: string, text: string) => createHmac('sha256', env.runtime.apiToken).update(`${ts}:${text}`).digest('hex');
    const before = await issueCount();
    expect(
      (
        await send('/webhooks/grafana', body, {
          'x-grafana-alerting-signature': sign(timestamp, body).replace(/^./, (first) => (first === '0' ? '1' : '0')),
          'x-grafana-alerting-signature-timestamp': timestamp,
        })
      ).status,
    ).toBe(401);
    const stale = String(Math.floor(Date.now() / 1000) - 600);
    const old = await send('/webhooks/grafana', body, {
      'x-grafana-alerting-signature': sign(stale, body),
      'x-grafana-alerting-signature-timestamp': stale,
    });
    expect(old.status).toBe(401);
    expect(old.body.error).toMatch(/replay window/);
    // A signature without a timestamp (HMAC over the body alone) could be replayed at any time.
    const bare = await send('/webhooks/grafana', body, {
      'x-grafana-alerting-signature': createHmac('sha256', env.runtime.apiToken).update(body).digest('hex'),
    });
    expect(bare.status).toBe(401);
    expect(bare.body.error).toMatch(/Timestamp is required/);
    expect(await issueCount()).toBe(before);

    const ok = await send('/webhooks/grafana', body, {
      'x-grafana-alerting-signature': sign(timestamp, body),
      'x-grafana-alerting-signature-timestamp': timestamp,
    });
    expect(ok.status).toBe(202);
    expect(ok.body.alerts[0]).toMatchObject({ key: 'f00dfeed', outcome: 'opened' });
    expect((await issue(ok.body.alerts[0].issueId)).severity).toBe('sev3');
    // A redelivery of the same request is harmless.
    const again = await send('/webhooks/grafana', body, {
      'x-grafana-alerting-signature': sign(timestamp, body),
      'x-grafana-alerting-signature-timestamp': timestamp,
    });
    expect(again.body.alerts[0]).toMatchObject({ outcome: 'duplicate', issueId: ok.body.alerts[0].issueId });
    expect(await issueCount()).toBe(before + 1);
  });

  it('PagerDuty Events v2 at /v2/enqueue: 202 {status, message, dedup_key}; trigger, repeat, acknowledge, resolve', async () => {
    const event = (action: string, extra: Record<string, unknown> = {}) =>
      JSON.stringify({ routing_key: env.runtime.apiToken, event_action: action, dedup_key: 'db-1/replication', ...extra });
    const payload = { summary: 'Replication lag on db-1', source: 'db-1', severity: 'error', custom_details: { customer: 'acme' } };
    const trigger = await send('/v2/enqueue', event('trigger', { payload }));
    expect(trigger).toMatchObject({ status: 202, body: { status: 'success', message: 'Event processed', dedup_key: 'db-1/replication' } });
    const id = (await env.client.get('/issues?customerId=acme')).body.issues.find(
      (i: { title: string }) => i.title === 'Replication lag on db-1',
    ).id;
    expect((await issue(id)).severity).toBe('sev2');
    await send('/v2/enqueue', event('trigger', { payload: { ...payload, summary: 'Replication lag on db-1 (worse)' } }));
    expect((await issue(id)).occurrences).toBe(2);
    expect((await send('/v2/enqueue', event('acknowledge'))).status).toBe(202);
    expect((await issue(id)).status).toBe('acknowledged');
    await send('/v2/enqueue', event('resolve'));
    expect((await issue(id)).clearedByMonitoringAt).toBeDefined();
    // Each change is recorded as done by the integration that sent it.
    const timeline = (await env.client.get(`/issues/${id}`)).body.timeline as { type: string; by?: unknown }[];
    const pagerduty = { kind: 'integration', id: 'pagerduty' };
    expect(timeline.filter((entry) => entry.type !== 'email').map((entry) => [entry.type, entry.by])).toEqual([
      ['opened', pagerduty],
      ['occurrence', pagerduty],
      ['acknowledge', pagerduty],
      ['monitoring-cleared', pagerduty],
    ]);

    const generated = await send(
      '/v2/enqueue',
      JSON.stringify({ routing_key: env.runtime.apiToken, event_action: 'trigger', payload: { ...payload, summary: 'No dedup key' } }),
    );
    expect(generated.body.dedup_key).toMatch(/^[0-9a-f-]{36}$/);
    expect((await send('/v2/enqueue', event('trigger', { routing_key: 'wrong-routing-key', payload }))).status).toBe(401);
    const invalid = await send('/v2/enqueue', JSON.stringify({ routing_key: env.runtime.apiToken, event_action: 'explode' }));
    expect(invalid.status).toBe(400);
    expect(invalid.body.status).toBe('invalid event');
  });

  it('Datadog: the alert cycle key dedups, "Recovered" clears; tags map the customer and priority the severity', async () => {
    const body = (transition: string, updated: number) =>
      JSON.stringify({
        alert_id: 42,
        alert_cycle_key: 'cycle-7',
        alert_transition: transition,
        title: '[P2] CPU high on web-3',
        body: 'CPU above 95 %',
        priority: 'P2',
        tags: 'customer:acme,env:prod',
        last_updated: updated,
      });
    const first = await send('/webhooks/datadog', body('Triggered', 1), bearer());
    expect(first.status).toBe(202);
    const id = first.body.alerts[0].issueId;
    expect((await issue(id)).severity).toBe('sev2');
    await send('/webhooks/datadog', body('Re-Triggered', 2), bearer());
    expect((await issue(id)).occurrences).toBe(2);
    await send('/webhooks/datadog', body('Recovered', 3), bearer());
    expect((await issue(id)).clearedByMonitoringAt).toBeDefined();
    expect((await send('/webhooks/datadog', body('Triggered', 1), { authorization: 'Bearer nope' })).status).toBe(401);
  });

  it('generic: Standard Webhooks signature; webhook-id redelivery is harmless; unsigned or tampered is 401', async () => {
    const secret = `whsec_${Buffer.from(env.runtime.apiToken).toString('base64')}`;
    const body = JSON.stringify({
      key: 'backup-nightly',
      status: 'firing',
      title: 'Nightly backup failed',
      severity: 'warning',
      customer: 'acme',
    });
    const headers = (id: string, text: string) => {
      const timestamp = new Date();
      return {
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
        'webhook-signature': new Webhook(secret).sign(id, timestamp, text),
      };
    };
    const signed = headers('msg_1', body);
    const first = await send('/webhooks/generic', body, signed);
    expect(first.status).toBe(202);
    expect((await send('/webhooks/generic', body, signed)).body.alerts[0].outcome).toBe('duplicate');
    expect((await send('/webhooks/generic', body)).status).toBe(401);
    expect((await send('/webhooks/generic', body.replace('failed', 'FAILED'), signed)).status).toBe(401);

    // A severity named after an Object member is just an unmapped severity: the integration's default, with a note.
    for (const severity of ['constructor', 'toString', '__proto__']) {
      const odd = JSON.stringify({ key: `odd-${severity}`, status: 'firing', title: 'Odd severity', severity, customer: 'acme' });
      const answer = await send('/webhooks/generic', odd, headers(`msg_${severity}`, odd));
      expect([severity, answer.status]).toEqual([severity, 202]);
      await env.runtime.tracker.idle();
      const issue = (await env.client.get(`/issues/${answer.body.alerts[0].issueId}`)).body;
      expect([issue.severity, issue.description]).toEqual(['sev3', expect.stringContaining(`severity "${severity}" is not mapped`)]);
    }
  });

  it('bad input: 400 naming the problem with nothing stored, 401 without auth, 413 over the size limit', async () => {
    const before = await issueCount();
    const badJson = await send('/webhooks/alertmanager', '{"alerts": [', bearer());
    expect(badJson.status).toBe(400);
    expect(badJson.body.error).toMatch(/not valid JSON/);
    const missing = await send(
      '/webhooks/alertmanager',
      JSON.stringify({ status: 'firing', receiver: 'x', groupKey: 'g', alerts: [{ status: 'firing', labels: {}, startsAt: 'now' }] }),
      bearer(),
    );
    expect(missing.status).toBe(400);
    expect(missing.body.details.map((d: { field: string }) => d.field)).toContain('alerts.0.fingerprint');
    const twoAlertsOneBad = JSON.stringify({
      status: 'firing',
      receiver: 'x',
      groupKey: 'g',
      alerts: [
        { status: 'firing', labels: { alertname: 'A', customer: 'acme' }, startsAt: '2026-11-24T00:00:00Z', fingerprint: 'aaa' },
        { status: 'firing', labels: { alertname: 'B', customer: 'nobody' }, startsAt: '2026-11-24T00:00:00Z', fingerprint: 'bbb' },
      ],
    });
    expect((await send('/webhooks/alertmanager', twoAlertsOneBad)).status).toBe(401);
    const onlyBad = JSON.stringify({ ...JSON.parse(twoAlertsOneBad), alerts: JSON.parse(twoAlertsOneBad).alerts.slice(1) });
    const unknown = await send('/webhooks/alertmanager', onlyBad, bearer());
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatch(/no customer "nobody"/);
    // "__proto__" as a label name would set the prototype of the labels object, not a label.
    const protoLabel = onlyBad.replace('"customer":"nobody"', '"customer":"acme","__proto__":{"severity":"critical"}');
    const proto = await send('/webhooks/alertmanager', protoLabel, bearer());
    expect(proto.status).toBe(400);
    expect(proto.body.error).toMatch(/"__proto__" is not allowed/);
    expect(proto.body.details[0].field).toBe('alerts.0.labels');
    expect(await issueCount()).toBe(before);
    // One bad alert never sinks the others of its notification: the good one opens, the bad one is set aside and named.
    const mixed = await send('/webhooks/alertmanager', twoAlertsOneBad, bearer());
    expect(mixed.status).toBe(202);
    expect(mixed.body.alerts.map((a: { key: string; outcome: string }) => [a.key, a.outcome])).toEqual([
      ['aaa', 'opened'],
      ['bbb', 'set-aside'],
    ]);
    expect(mixed.body.alerts[1].problem).toMatch(/no customer "nobody"/);
    const malformed = JSON.parse(protoLabel); // its alert keeps "__proto__" as an own key, as JSON.parse makes it
    malformed.alerts.unshift({
      status: 'firing',
      labels: { alertname: 'C', customer: 'acme' },
      startsAt: '2026-11-24T00:00:00Z',
      fingerprint: 'ccc',
    });
    const withMalformed = await send('/webhooks/alertmanager', JSON.stringify(malformed), bearer());
    expect(withMalformed.status).toBe(202);
    expect(withMalformed.body.alerts.map((a: { outcome: string }) => a.outcome)).toEqual(['opened', 'set-aside']);
    expect(await issueCount()).toBe(before + 2);
    const huge = await send('/webhooks/alertmanager', JSON.stringify({ pad: 'x'.repeat(1_100_000) }), bearer());
    expect(huge.status).toBe(413);
    // An integration name that can name none (empty, 2,200 bytes within 1,100 characters): a 404, never a 500.
    for (const name of ['', 'ß'.repeat(1_100)]) {
      const answer = await send(`/webhooks/alertmanager?integration=${encodeURIComponent(name)}`, twoAlertsOneBad, bearer());
      expect(answer.status, JSON.stringify(answer.body)).toBe(404);
    }
    // A customer label of 2,200 bytes names no customer: set aside, never a 500.
    const longCustomer = JSON.parse(onlyBad);
    longCustomer.alerts[0].labels.customer = 'ß'.repeat(1_100);
    const refusedLong = await send('/webhooks/alertmanager', JSON.stringify(longCustomer), bearer());
    expect(refusedLong.status).toBe(400);
    expect(refusedLong.body.error).toMatch(/no customer "ß+…"/);
  });

  it('integrations: their own secret, default customer and severity map; the API token then no longer serves', async () => {
    const put = await env.client.call('PUT', '/integrations/noc-am', {
      kind: 'alertmanager',
      secret: 'noc-secret-0123456789',
      defaultCustomerId: 'acme',
      severityMap: { page: 'sev1', ticket: 'sev4' },
    });
    expect(put.status).toBe(200);
    expect(put.body.secret).toBe('(set)');
    const body = JSON.stringify({
      status: 'firing',
      receiver: 'x',
      groupKey: 'g',
      alerts: [{ status: 'firing', labels: { alertname: 'Q', severity: 'ticket' }, startsAt: '2026-11-24T00:00:00Z', fingerprint: 'qqq' }],
    });
    expect((await send('/webhooks/alertmanager?integration=noc-am', body, bearer())).status).toBe(401);
    const ok = await send('/webhooks/alertmanager?integration=noc-am', body, { authorization: 'Bearer noc-secret-0123456789' });
    expect(ok.status).toBe(202);
    expect((await issue(ok.body.alerts[0].issueId)).severity).toBe('sev4');
    expect((await send('/webhooks/grafana?integration=noc-am', body, bearer())).status).toBe(400);
    expect((await env.client.call('PUT', '/integrations/x', { kind: 'smoke-signals' })).status).toBe(400);
  });

  it('PagerDuty routing keys: after concurrent changes only the stored key authenticates; a key another integration holds is a 409', async () => {
    const pd = (routingKey: string) => ({ kind: 'pagerduty', routingKey, defaultCustomerId: 'acme' });
    const keys = Array.from({ length: 12 }, (_, index) => `rk-concurrent-${index}`);
    const answers = await Promise.all(keys.map((key) => env.client.call('PUT', '/integrations/pd-race', pd(key))));
    expect(answers.every(({ status }) => status === 200 || status === 409)).toBe(true);
    const stored = (await env.client.get('/integrations')).body.integrations.find((it: { name: string }) => it.name === 'pd-race');
    const trigger = (routingKey: string, dedup: string) =>
      send(
        '/v2/enqueue',
        JSON.stringify({
          routing_key: routingKey,
          event_action: 'trigger',
          dedup_key: dedup,
          payload: { summary: 'Queue backlog', source: 'mq-1', severity: 'warning' },
        }),
      );
    const accepted = [];
    for (const key of keys) if ((await trigger(key, `race-${key}`)).status === 202) accepted.push(key);
    expect(accepted).toEqual([stored.routingKey]);

    const taken = await env.client.call('PUT', '/integrations/pd-other', pd(stored.routingKey));
    expect([taken.status, taken.body.details]).toEqual([409, [{ field: 'routingKey', problem: 'belongs to integration pd-race' }]]);
  });
});
