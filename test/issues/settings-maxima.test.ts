import { describe, expect, it } from 'vitest';
import { MAX_INTEGRATIONS } from '../../modules/intake/routes.ts';
import { defaultPolicy } from '../../modules/policies/policy.ts';
import { MAX_POLICIES } from '../../modules/policies/routes.ts';
import { useRuntime } from '../support/runtime.ts';

const env = useRuntime();
const { name: _name, version: _version, ...policyBody } = defaultPolicy;

/** Stores `count` of something, twenty at a time, each answered 200. */
async function store(count: number, put: (n: number) => Promise<{ status: number; body: unknown }>) {
  for (let start = 0; start < count; start += 20)
    for (const answer of await Promise.all(Array.from({ length: Math.min(20, count - start) }, (_, n) => put(start + n))))
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
}

describe('settings lists answered whole have a maximum', () => {
  it(`at most ${MAX_POLICIES} policies: one more is a 409 naming the field; a new version of one stored is still a 200`, async () => {
    await store(MAX_POLICIES - 1, (n) => env.client.call('PUT', `/policies/p${n}`, policyBody)); // and the built-in default
    const refused = await env.client.call('PUT', '/policies/one-too-many', policyBody);
    expect([refused.status, refused.body.details]).toEqual([409, [{ field: 'name', problem: `at most ${MAX_POLICIES} policies` }]]);
    expect((await env.client.get('/policies/one-too-many')).status).toBe(404);
    expect((await env.client.call('PUT', '/policies/p7', policyBody)).status).toBe(200);
    expect((await env.client.get('/policies')).body.policies).toHaveLength(MAX_POLICIES);
  });

  it(`at most ${MAX_INTEGRATIONS} integrations: one more is a 409 naming the field; replacing one stored is still a 200`, async () => {
    const integration = { kind: 'alertmanager', secret: 'a-secret-of-sixteen-or-more' };
    await store(MAX_INTEGRATIONS, (n) => env.client.call('PUT', `/integrations/i${n}`, integration));
    const refused = await env.client.call('PUT', '/integrations/one-too-many', integration);
    expect([refused.status, refused.body.details]).toEqual([409, [{ field: 'name', problem: `at most ${MAX_INTEGRATIONS} integrations` }]]);
    expect((await env.client.call('PUT', '/integrations/i3', integration)).status).toBe(200);
    expect((await env.client.get('/integrations')).body.integrations).toHaveLength(MAX_INTEGRATIONS);
    // Deleting one makes room; its secret no longer opens anything.
    expect((await env.client.call('DELETE', '/integrations/i3')).status).toBe(204);
    expect((await env.client.call('DELETE', '/integrations/i3')).status).toBe(404);
    const alert = {
      version: '4',
      status: 'firing',
      alerts: [{ status: 'firing', labels: { alertname: 'Disk', customer: 'acme' }, fingerprint: 'x1' }],
    };
    const rejected = await fetch(`${env.runtime.urls.api}/webhooks/alertmanager?integration=i3`, {
      method: 'POST',
      headers: { authorization: `Bearer ${integration.secret}`, 'content-type': 'application/json' },
      body: JSON.stringify(alert),
    });
    expect(rejected.status).toBe(404); // no integration of that name any more
    expect((await env.client.call('PUT', '/integrations/one-more', integration)).status).toBe(200);
  });
});
