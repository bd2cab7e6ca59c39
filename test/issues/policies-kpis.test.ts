import { describe, expect, it } from 'vitest';
import { defaultPolicy } from '../../modules/policies/policy.ts';
import { acme, ownAddresses, useRuntime } from '../support/runtime.ts';

const env = useRuntime();

const { name: _name, version: _version, ...defaultBody } = defaultPolicy;

describe('policies as data', () => {
  it('ships the default; PUT stores a new version that new issues freeze, while open issues keep theirs', async () => {
    const listed = await env.client.get('/policies');
    expect(listed.body.policies.map((policy: { name: string; version: number }) => [policy.name, policy.version])).toEqual([
      ['default', 1],
    ]);
    const before = (await env.client.post('/issues', { customerId: 'acme', title: 'Before the change', severity: 'sev2' })).body;

    const faster = structuredClone(defaultBody);
    faster.severities.sev2.updateEvery = 'PT1H';
    const put = await env.client.call('PUT', '/policies/default', faster);
    expect(put.status).toBe(200);
    expect(put.body.version).toBe(2);
    expect((await env.client.get('/policies/default')).body.severities.sev2.updateEvery).toBe('PT1H');

    const after = (await env.client.post('/issues', { customerId: 'acme', title: 'After the change', severity: 'sev2' })).body;
    expect(after.policy).toMatchObject({ name: 'default', version: 2, updateEvery: 'PT1H' });
    expect((await env.client.get(`/issues/${before.id}`)).body.policy).toMatchObject({ version: 1, updateEvery: 'PT2H' });
    await env.runtime.tracker.idle();
    await env.client.advance('PT1H');
    const holding = (id: string) =>
      env.client
        .get(`/issues/${id}`)
        .then((response) => response.body.timeline.filter((entry: { template?: string }) => entry.template === 'holding-update').length);
    expect([await holding(before.id), await holding(after.id)]).toEqual([0, 1]);
  });

  it('rejects a bad policy with the field and the problem, and stores nothing', async () => {
    const bad = structuredClone(defaultBody) as Record<string, any>;
    bad.severities.sev1.updateEvery = 'every half hour';
    delete bad.nudgeBefore;
    const put = await env.client.call('PUT', '/policies/default', bad);
    expect(put.status).toBe(400);
    expect(put.body.details).toEqual(
      expect.arrayContaining([
        { field: 'severities.sev1.updateEvery', problem: expect.stringContaining('ISO-8601') },
        { field: 'nudgeBefore', problem: expect.any(String) },
      ]),
    );
    expect((await env.client.call('PUT', '/policies/Bad Name!', defaultBody)).status).toBe(400);
    // Months count as nothing in business hours: "P1M" once hung the clock at 100 % CPU.
    const monthly = structuredClone(defaultBody) as Record<string, any>;
    monthly.severities.sev4.updateEvery = 'P1M';
    const refused = await env.client.call('PUT', '/policies/default', monthly);
    expect(refused.status).toBe(400);
    expect(refused.body.details).toEqual([
      { field: 'severities.sev4.updateEvery', problem: expect.stringContaining('no months or years') },
    ]);
    // Floors: a customer update every second (or minute) would flood the customer.
    const flooding = structuredClone(defaultBody) as Record<string, any>;
    flooding.severities.sev1.updateEvery = 'PT1S';
    flooding.severities.sev2.updateEvery = 'PT1M';
    flooding.severities.sev1.ladder = [{ after: 'PT1M', level: 'teamLead' }];
    const floods = await env.client.call('PUT', '/policies/default', flooding);
    expect(floods.status).toBe(400);
    expect(floods.body.details).toEqual([
      { field: 'severities.sev1.updateEvery', problem: expect.stringContaining('at least PT15M') },
      { field: 'severities.sev1.ladder.0.after', problem: expect.stringContaining('at least PT5M') },
      { field: 'severities.sev2.updateEvery', problem: expect.stringContaining('at least PT15M') },
    ]);
    expect((await env.client.get('/policies/default')).body.version).toBe(2);
    expect((await env.client.get('/policies/nope')).status).toBe(404);
    expect((await env.client.post('/customers', { ...acme, id: 'beta', policy: 'nope' })).body.details).toEqual([
      { field: 'policy', problem: 'unknown policy' },
    ]);
  });

  it('a second named policy can be given to a customer', async () => {
    const gentle = structuredClone(defaultBody);
    gentle.severities.sev1.holdingUpdates = false;
    expect((await env.client.call('PUT', '/policies/gentle', gentle)).body).toMatchObject({ name: 'gentle', version: 1 });
    expect((await env.client.post('/customers', { ...acme, id: 'gamma', policy: 'gentle', ...ownAddresses('gamma') })).status).toBe(201);
    const issue = (await env.client.post('/issues', { customerId: 'gamma', title: 'x', severity: 'sev1' })).body;
    expect(issue.policy).toMatchObject({ name: 'gentle', holdingUpdates: false });
    expect((await env.client.get('/policies')).body.policies.map((policy: { name: string }) => policy.name).sort()).toEqual([
      'default',
      'gentle',
    ]);
    await env.client.post(`/issues/${issue.id}/events`, { type: 'close' });
  });
});

describe('policy versions: the history a diff is made from', () => {
  it('lists the versions newest first with when and by whom, pages them, and reads any one as it was', async () => {
    // After the tests above: version 2 of "default" is stored, version 1 is the built-in.
    const third = structuredClone(defaultBody);
    third.severities.sev3.updateEvery = 'PT3H';
    expect((await env.client.call('PUT', '/policies/default', third)).body.version).toBe(3);

    const all = await env.client.get('/policies/default/versions');
    expect(all.status).toBe(200);
    expect(all.body.versions.map((entry: { version: number }) => entry.version)).toEqual([3, 2, 1]);
    expect(all.body.versions[0]).toEqual({
      version: 3,
      storedAt: await env.client.now(),
      updatedBy: { kind: 'api-token', id: 'api-token', name: 'bootstrap API token' },
    });
    expect(all.body.versions[2]).toEqual({ version: 1 }); // the built-in: never stored by anyone
    expect(all.body.next).toBeUndefined();

    const first = await env.client.get('/policies/default/versions?limit=2');
    expect(first.body.versions.map((entry: { version: number }) => entry.version)).toEqual([3, 2]);
    expect(first.body.next).toBe(2);
    const rest = await env.client.get(`/policies/default/versions?limit=2&before=${first.body.next}`);
    expect(rest.body.versions.map((entry: { version: number }) => entry.version)).toEqual([1]);

    expect((await env.client.get('/policies/default/versions/2')).body.severities.sev3.updateEvery).toBe(
      defaultPolicy.severities.sev3.updateEvery,
    );
    expect((await env.client.get('/policies/default/versions/3')).body.severities.sev3.updateEvery).toBe('PT3H');
    expect((await env.client.get('/policies/default/versions/1')).body).toEqual({ ...defaultPolicy });
    expect((await env.client.get('/policies/default/versions/9')).status).toBe(404);
    expect((await env.client.get('/policies/nope/versions')).status).toBe(404);
    const bad = await env.client.get('/policies/default/versions/two');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toContain('version');
    expect((await env.client.get('/policies/default/versions?limit=1000')).status).toBe(400);
  });
});

describe('GET /kpis', () => {
  it('measures MTTA, MTTR, SLA, update cadence, silence, ETR accuracy, RFO acceptance, escalation and reopen rates by severity', async () => {
    await env.client.advance('PT1M'); // past the issues of the tests above
    const from = (await env.client.get('/_local/clock')).body.now;
    const post = async (id: string, body: Record<string, unknown>) => {
      expect((await env.client.post(`/issues/${id}/events`, body)).status).toBe(202);
      await env.runtime.tracker.idle();
    };
    // sev1 A: acknowledged at 10 min (SLA 15 min met), an update with ETR 80 at 20, resolved at 45 (35 min before the ETR), RFO accepted at 170.
    const a = (await env.client.post('/issues', { customerId: 'acme', title: 'A', severity: 'sev1' })).body.id;
    // sev1 B: acknowledged at 20 min (SLA missed), no update (holding updates at 30 and 60: two misses), resolved at 70.
    const b = (await env.client.post('/issues', { customerId: 'acme', title: 'B', severity: 'sev1' })).body.id;
    await env.runtime.tracker.idle();
    await env.client.advance('PT10M');
    await post(a, { type: 'acknowledge' });
    await env.client.advance('PT10M');
    await post(b, { type: 'acknowledge' });
    const etr = new Date(Date.parse((await env.client.get('/_local/clock')).body.now) + 3600_000).toISOString();
    await post(a, { type: 'update', message: 'Working on it', etr });
    await env.client.advance('PT25M');
    await post(a, { type: 'resolve', rfo: 'Cause A' });
    await env.client.advance('PT25M');
    await post(b, { type: 'resolve', rfo: 'Cause B' });
    await env.client.advance('PT100M');
    await post(a, { type: 'accept-rfo' });
    await post(b, { type: 'reopen' });
    await post(b, { type: 'resolve', rfo: 'Cause B, again' });

    const response = await env.client.get(`/kpis?from=${encodeURIComponent(from)}`);
    expect(response.status).toBe(200);
    const sev1 = response.body.bySeverity.sev1;
    expect(sev1.issues).toBe(2);
    expect(sev1.mttaMinutes).toBe(15);
    expect(sev1.slaCompliancePct).toBe(50);
    expect(sev1.updateCadence).toMatchObject({ kept: 1, missed: 2 });
    expect(sev1.etrAccuracy).toMatchObject({ resolvedWithEtr: 1, metPct: 100, meanAbsoluteErrorMinutes: 35 });
    expect(sev1.rfoAcceptance).toMatchObject({ accepted: 1, automaticallyPct: 0, meanHours: 2.1 });
    expect(sev1.reopenRatePct).toBe(50);
    expect(sev1.customerEscalationRatePct).toBe(0);
    expect(sev1.longestSilenceMinutes).toBe(30);
    expect(response.body.bySeverity.sev4.issues).toBe(0);
    expect(response.body.bySeverity.sev4.mttaMinutes).toBeNull();

    expect((await env.client.get('/kpis?from=yesterday')).status).toBe(400);
    expect((await env.client.get('/kpis?from=2030-01-01&to=2029-01-01')).status).toBe(400);
  });
});
