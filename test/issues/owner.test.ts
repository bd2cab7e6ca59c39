import { describe, expect, it } from 'vitest';
import { inbox, useRuntime } from '../support/runtime.ts';

const env = useRuntime();

describe('who owns an issue', () => {
  it('the person who acknowledges owns it and gets the owner emails; assign hands it on; an explicit owner still wins', async () => {
    const agent = (await env.client.post('/users', { email: 'ada@provider.test', name: 'Ada Agent', roles: ['agent'] })).body;
    const token = (await env.client.post(`/users/${agent.id}/tokens`, { name: 'laptop' })).body.token as string;
    const { id } = (await env.client.post('/issues', { customerId: 'acme', title: 'Packet loss on the uplink', severity: 'sev2' })).body;
    await env.runtime.tracker.idle();
    const ack = await env.client.call('POST', `/issues/${id}/events`, { type: 'acknowledge' }, token);
    expect(ack.status).toBe(202);
    await env.runtime.tracker.idle();
    expect((await env.client.get(`/issues/${id}`)).body.owner).toEqual({ name: 'Ada Agent', email: 'ada@provider.test' });

    // No update by the promised time: the owner is nudged, not the team lead.
    await env.client.advance('PT4H');
    const toAda = (await inbox(env.runtime)).filter(
      (email) => email.subject.includes(id) && email.destination.to.includes('ada@provider.test'),
    );
    expect(toAda.length).toBeGreaterThan(0);

    const assigned = await env.client.post(`/issues/${id}/events`, {
      type: 'assign',
      owner: { name: 'Otto Owner', email: 'otto@provider.test' },
    });
    expect(assigned.status).toBe(202);
    expect((await env.client.get(`/issues/${id}`)).body.owner).toEqual({ name: 'Otto Owner', email: 'otto@provider.test' });
    expect((await env.client.post(`/issues/${id}/events`, { type: 'assign', owner: { name: 'X', email: 'not-an-address' } })).status).toBe(
      400,
    );

    // An owner named in the event wins over the person acknowledging.
    const other = (await env.client.post('/issues', { customerId: 'acme', title: 'Slow DNS', severity: 'sev3' })).body.id;
    await env.runtime.tracker.idle();
    await env.client.call(
      'POST',
      `/issues/${other}/events`,
      { type: 'acknowledge', owner: { name: 'Nina Night', email: 'nina@provider.test' } },
      token,
    );
    expect((await env.client.get(`/issues/${other}`)).body.owner.email).toBe('nina@provider.test');
    // The bootstrap token is nobody: acknowledging with it makes no owner.
    const third = (await env.client.post('/issues', { customerId: 'acme', title: 'Flaky Wi-Fi', severity: 'sev4' })).body.id;
    await env.runtime.tracker.idle();
    await env.client.post(`/issues/${third}/events`, { type: 'acknowledge' });
    expect((await env.client.get(`/issues/${third}`)).body.owner).toBeUndefined();
  });
});
