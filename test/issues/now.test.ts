import { describe, expect, it } from 'vitest';
import { acme, useRuntime } from '../support/runtime.ts';

const env = useRuntime();

describe("GET /issues?open=true: what is due next, paged (the console's Now)", () => {
  it('unresolved issues only, the one due soonest first, with what is due, its escalation level, paged by limit and after', async () => {
    const open = async (title: string, severity: string) =>
      (await env.client.post('/issues', { customerId: 'acme', title, severity, description: 'x' })).body.id as string;
    const slow = await open('Slow dashboard', 'sev3');
    const down = await open('Site down', 'sev1');
    const done = await open('Typo', 'sev4');
    await env.runtime.tracker.idle();
    await env.client.post(`/issues/${slow}/events`, { type: 'acknowledge' });
    await env.client.post(`/issues/${slow}/events`, {
      type: 'update',
      message: 'Looking into it',
      nextUpdateAt: '2026-11-02T09:05:00+01:00',
      etr: '2026-11-03T12:00:00Z',
    });
    await env.client.post(`/issues/${done}/events`, { type: 'resolve', rfo: 'Fixed the typo.' });
    await env.runtime.tracker.idle();

    const all = await env.client.get('/issues?open=true');
    expect(all.status).toBe(200);
    expect(all.body.count).toBe(2);
    expect(all.body.now).toBe(await env.client.now()); // the runtime's clock, which the console counts from
    expect(all.body.issues.map((issue: { id: string }) => issue.id)).toEqual([slow, down]);
    expect(all.body.issues[0].due).toEqual({ at: '2026-11-02T08:05:00.000Z', what: 'update', overdue: false });
    expect(all.body.issues[1].due.what).toBe('acknowledgement');
    expect(all.body.issues[1]).toMatchObject({ escalationLevel: expect.any(Number), status: 'open', severity: 'sev1' });

    const sev1 = await env.client.get('/issues?open=true&severity=sev1');
    expect([sev1.body.count, sev1.body.issues.map((issue: { id: string }) => issue.id)]).toEqual([1, [down]]);
    expect((await env.client.get('/issues?open=true&severity=sev9')).status).toBe(400);

    const first = await env.client.get('/issues?open=true&limit=1');
    expect(first.body.issues.map((issue: { id: string }) => issue.id)).toEqual([slow]);
    const second = await env.client.get(`/issues?open=true&limit=1&after=${first.body.next}`);
    expect(second.body.issues.map((issue: { id: string }) => issue.id)).toEqual([down]);
    expect(second.body.next).toBeUndefined();

    // Without the new parameters the list is as it always was: every issue, newest first.
    expect((await env.client.get('/issues')).body.issues).toHaveLength(3);
    for (const [query, field] of [
      ['open=maybe', 'open'],
      ['open=true&limit=0', 'limit'],
      ['open=true&limit=501', 'limit'],
      ['open=true&sort=x', 'sort'],
    ]) {
      const refused = await env.client.get(`/issues?${query}`);
      expect(refused.status, query).toBe(400);
      expect(JSON.stringify(refused.body), query).toContain(field);
    }
  });

  it("GET /kpis?by=week: the KPIs of each of the last weeks, oldest first, for the console's trends", async () => {
    const trend = await env.client.get('/kpis?by=week&weeks=3');
    expect(trend.status).toBe(200);
    expect(trend.body.weeks).toHaveLength(3);
    // Calendar weeks from Monday 00:00 (UTC unless ?zone= names the reader's); the last is this week so far.
    const [first, second, last] = trend.body.weeks;
    expect([first.from, second.from, last.from]).toEqual([
      '2026-10-19T00:00:00.000Z',
      '2026-10-26T00:00:00.000Z',
      '2026-11-02T00:00:00.000Z',
    ]);
    expect([first.to, first.partial, last.partial]).toEqual(['2026-10-26T00:00:00.000Z', undefined, true]);
    expect(last.to).toBe(await env.client.now());
    // In Tokyo it is Monday 17:00: its week began at Monday 00:00 there (Sunday 15:00 UTC).
    const tokyo = (await env.client.get('/kpis?by=week&weeks=1&zone=Asia/Tokyo')).body;
    expect([tokyo.zone, tokyo.weeks[0].from, tokyo.weeks[0].all.issues]).toEqual(['Asia/Tokyo', '2026-11-01T15:00:00.000Z', 3]);
    expect((await env.client.get('/kpis?by=week&zone=Mars/Olympus')).status).toBe(400);
    expect(last.all.issues).toBe(3); // the three opened above, this week
    expect(first.all).toMatchObject({ issues: 0, mttaMinutes: null });
    expect(last.bySeverity.sev1.issues).toBe(1);
    for (const query of ['by=day', 'by=week&weeks=0', 'by=week&weeks=53', 'by=week&extra=1', 'by=week&team=not-an-email']) {
      const refused = await env.client.get(`/kpis?${query}`);
      expect(refused.status, query).toBe(400);
    }
  });

  it('GET /kpis?by=week for one customer, or for the customers of one team (by its team lead)', async () => {
    const other = {
      ...acme,
      id: 'globex',
      name: 'Globex',
      emailDomains: ['globex.test'],
      contacts: [{ name: 'Gil', email: 'gil@globex.test', roles: ['technical'] }],
      team: { ...acme.team, teamLead: { name: 'Otto Lead', email: 'otto@provider.test' } },
    };
    expect((await env.client.post('/customers', other)).status).toBe(201);
    await env.client.post('/issues', { customerId: 'globex', title: 'Globex down', severity: 'sev2', description: 'x' });
    const issuesThisWeek = async (query: string) => (await env.client.get(`/kpis?by=week&weeks=2&${query}`)).body.weeks[1].all.issues;
    expect(await issuesThisWeek('customerId=globex')).toBe(1);
    expect(await issuesThisWeek('customerId=acme')).toBe(3);
    expect(await issuesThisWeek('team=otto@provider.test')).toBe(1);
    expect(await issuesThisWeek('team=TINA@provider.test')).toBe(3);
    expect(await issuesThisWeek('team=nobody@provider.test')).toBe(0);
    expect((await env.client.get('/kpis?by=week&team=otto@provider.test')).body.team).toBe('otto@provider.test');
  });
});
