import { describe, expect, it } from 'vitest';
import { acme, alertmanagerAlert, useRuntime } from '../support/runtime.ts';

// A second customer with acme's team, in another zone.
const env = useRuntime({
  setup: (client) =>
    client.post('/customers', {
      ...acme,
      id: 'beta',
      name: 'Beta Freight',
      timezone: 'Europe/Lisbon',
      country: 'PT',
      emailDomains: ['beta.test'],
      contacts: [{ name: 'Bea', email: 'bea@beta.test', roles: ['technical'] }],
    }),
});

const put = (customerId: string, serviceId: string, body: unknown) =>
  env.client.call('PUT', `/customers/${customerId}/services/${serviceId}`, body);
const list = async (customerId: string) => (await env.client.get(`/customers/${customerId}/services`)).body.services;
const alert = async (fingerprint: string, labels: Record<string, string>) => {
  const response = await fetch(`${env.runtime.urls.api}/webhooks/alertmanager`, {
    method: 'POST',
    headers: { authorization: `Bearer ${env.runtime.apiToken}`, 'content-type': 'application/json' },
    body: alertmanagerAlert(fingerprint, labels),
  });
  expect(response.status).toBe(202);
  await env.runtime.tracker.idle();
  return ((await response.json()) as { alerts: { issueId: string }[] }).alerts[0].issueId;
};

describe("a customer's services", () => {
  it('created, replaced and listed by id, each with its state', async () => {
    const circuit = { name: 'Lisbon–Porto 10G', kind: 'circuit', site: 'Lisbon DC', match: { labels: { circuit: 'LIS-POR-10G' } } };
    const created = await put('acme', 'lis-por-10g', circuit);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: 'lis-por-10g', customerId: 'acme', ...circuit });
    expect((await put('acme', 'lis-por-10g', { ...circuit, model: 'Ciena 6500' })).status).toBe(200);
    expect((await put('acme', 'core-fw', { name: 'Core firewall', kind: 'device', model: 'FortiGate 600F' })).status).toBe(201);
    const services = await list('acme');
    expect(services.map((service: { id: string; state: string; model?: string }) => [service.id, service.state, service.model])).toEqual([
      ['core-fw', 'operational', 'FortiGate 600F'],
      ['lis-por-10g', 'operational', 'Ciena 6500'],
    ]);
    expect(await list('beta')).toEqual([]);
  });

  it('an alert whose labels match names the service on its issue; the service shows the outage; a sev4 leaves it operational', async () => {
    await put('acme', 'edge-1', { name: 'Edge router 1', kind: 'device', match: { labels: { instance: 'edge-1', job: 'snmp' } } });
    // Every label of the match must be on the alert: one of two is not enough.
    const partial = await alert('svc-partial', { alertname: 'Down', severity: 'critical', instance: 'edge-1' });
    expect((await env.client.get(`/issues/${partial}`)).body.services).toBeUndefined();
    const down = await alert('svc-down', { alertname: 'Down', severity: 'critical', instance: 'edge-1', job: 'snmp' });
    expect((await env.client.get(`/issues/${down}`)).body.services).toEqual(['edge-1']);
    const edge = (await list('acme')).find((service: { id: string }) => service.id === 'edge-1');
    expect(edge).toMatchObject({ state: 'outage', issues: [down] });
    // Another customer's service with the same labels is not the alert's: the alert is acme's.
    await put('beta', 'edge-1', { name: 'Beta edge', kind: 'device', match: { labels: { instance: 'edge-1', job: 'snmp' } } });
    expect((await list('beta'))[0].state).toBe('operational');
    // A sev4 naming a service leaves it operational; a warning (sev3) degrades it.
    const cosmetic = await alert('svc-info', { alertname: 'Banner', severity: 'info', circuit: 'LIS-POR-10G' });
    const slow = await alert('svc-slow', { alertname: 'Latency', severity: 'warning', circuit: 'LIS-POR-10G' });
    const circuit = (await list('acme')).find((service: { id: string }) => service.id === 'lis-por-10g');
    expect(circuit).toMatchObject({ state: 'degraded', issues: [cosmetic, slow].sort() });
    expect((await env.client.get(`/issues/${cosmetic}`)).body.severity).toBe('sev4');

    // In use by an unresolved issue: kept, and the 409 names the issue.
    const refused = await env.client.call('DELETE', '/customers/acme/services/edge-1');
    expect(refused.status).toBe(409);
    expect(refused.body.error).toContain(down);
    expect(refused.body.details).toEqual([{ field: 'serviceId', problem: `in use by ${down}` }]);
    await env.client.post(`/issues/${down}/events`, { type: 'resolve', rfo: 'A line card failed and was replaced.' });
    await env.runtime.tracker.idle();
    expect((await list('acme')).find((service: { id: string }) => service.id === 'edge-1').state).toBe('operational');
    expect((await env.client.call('DELETE', '/customers/acme/services/edge-1')).status).toBe(204);
    expect((await env.client.call('DELETE', '/customers/acme/services/edge-1')).status).toBe(404);
    expect((await list('acme')).map((service: { id: string }) => service.id)).not.toContain('edge-1');
  });

  it('bad input: a 4xx naming the field, nothing stored', async () => {
    const before = await list('acme');
    const cases: [string, string, unknown, number, string][] = [
      ['acme', 'has space', { name: 'x', kind: 'device' }, 400, 'serviceId'],
      ['acme', 'x'.repeat(65), { name: 'x', kind: 'device' }, 400, 'serviceId'],
      ['acme', 'ok-1', { name: 'x', kind: 'spaceship' }, 400, 'kind'],
      ['acme', 'ok-1', { name: '', kind: 'device' }, 400, 'name'],
      ['acme', 'ok-1', { name: 'x', kind: 'device', match: { labels: {} } }, 400, 'match.labels'],
      ['acme', 'ok-1', { name: 'x', kind: 'device', match: { labels: { 'bad label': 'v' } } }, 400, 'match.labels.bad label'],
      [
        'acme',
        'ok-1',
        { name: 'x', kind: 'device', match: { labels: Object.fromEntries(Array.from({ length: 21 }, (_, n) => [`l${n}`, 'v'])) } },
        400,
        'match.labels',
      ],
      ['nobody', 'ok-1', { name: 'x', kind: 'device' }, 404, ''],
    ];
    for (const [customerId, serviceId, body, status, field] of cases) {
      const answer = await put(customerId, serviceId, body);
      expect(answer.status, `${customerId}/${serviceId} ${JSON.stringify(body).slice(0, 80)}`).toBe(status);
      if (field) expect(answer.body.details?.[0]?.field ?? answer.body.error).toContain(field);
    }
    expect((await env.client.get('/customers/nobody/services')).status).toBe(404);
    expect(await list('acme')).toEqual(before);
  });

  it('parallel first writes of one service: one 201, the rest 200, and it counts once against the limit', async () => {
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, n) => put('beta', 'race-1', { name: `Race ${n}`, kind: 'application' })),
    );
    expect(answers.filter((answer) => answer.status === 201)).toHaveLength(1);
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(7);
    const count = await env.runtime.store.get<{ count: number }>({ pk: 'CUSTOMER#beta', sk: 'SERVICE-COUNT' });
    expect(count?.count).toBe((await list('beta')).length);
  });
});
