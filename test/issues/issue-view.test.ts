import { describe, expect, it } from 'vitest';
import { sentEmails } from '../../kernel/email-channel.ts';
import { TIMELINE_IN_VIEW } from '../../modules/issues/routes.ts';
import { useRuntime } from '../support/runtime.ts';

const env = useRuntime();

describe("GET /issues/{id} as the console's Issue screen shows it", () => {
  it('the escalation ladder: who each level is, when it was reached and told, and when time alone reaches the next', async () => {
    const { id, createdAt } = (await env.client.post('/issues', { customerId: 'acme', title: 'Core router down', severity: 'sev1' })).body;
    await env.runtime.tracker.idle();
    await env.client.advance('PT20M');
    const minutesIn = (minutes: number) => new Date(Date.parse(createdAt) + minutes * 60_000).toISOString();

    const { ladder } = (await env.client.get(`/issues/${id}`)).body;
    expect(ladder).toEqual([
      {
        level: 1,
        role: 'teamLead',
        person: { name: 'Tina Lead', email: 'tina@provider.test' },
        reachedAt: minutesIn(15),
        reason: 'not acknowledged after 15 minutes',
        toldAt: minutesIn(15),
      },
      { level: 2, role: 'serviceManager', person: { name: 'Sam Manager', email: 'sam@provider.test' }, dueAt: minutesIn(60) },
      { level: 3, role: 'director', person: { name: 'Dora Director', email: 'dora@provider.test' }, dueAt: minutesIn(240) },
    ]);

    // Resolved: nothing more falls due by time.
    await env.client.post(`/issues/${id}/events`, { type: 'resolve', rfo: 'A line card was replaced.' });
    const resolved = (await env.client.get(`/issues/${id}`)).body.ladder;
    expect(resolved.map((rung: { dueAt?: string }) => rung.dueAt)).toEqual([undefined, undefined, undefined]);
    expect(resolved[0].reachedAt).toBe(minutesIn(15));
  });

  it('every email on the timeline with its recipients, subject and text as sent', async () => {
    const { id } = (await env.client.post('/issues', { customerId: 'acme', title: 'Slow VPN', severity: 'sev3', description: 'x' })).body;
    await env.runtime.tracker.idle();
    const { timeline } = (await env.client.get(`/issues/${id}`)).body;
    const email = timeline.find((entry: { type: string }) => entry.type === 'email');
    expect(email).toMatchObject({
      template: 'acknowledgement',
      audience: 'customer',
      to: ['ann@acme.test'],
      cc: [],
      subject: `[${id}] We are working on: Slow VPN`,
    });
    expect(email.text).toContain('we have received your issue "Slow VPN"');
    // A signed link acts as the customer: staff screens show where it leads, never its token.
    expect(email.text).toContain('/links/(signed link, hidden)');
    expect(email.text).not.toMatch(/\/links\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/);
  });

  it('emails sent in the same instant keep an entry each: every email of a sev1 left unanswered for 5 hours', async () => {
    const { id } = (await env.client.post('/issues', { customerId: 'acme', title: 'Backbone down', severity: 'sev1' })).body;
    await env.runtime.tracker.idle();
    await env.client.advance('PT5H'); // every rung of the ladder, the nudges and the customer's holding updates
    const sent = await sentEmails(env.runtime.store, `ISSUE#${id}`);
    const byInstant = new Map<string, number>();
    for (const email of sent) byInstant.set(email.sentAt, (byInstant.get(email.sentAt) ?? 0) + 1);
    expect(Math.max(...byInstant.values()), 'some emails went out in the same instant').toBeGreaterThan(1);
    const { timeline } = (await env.client.get(`/issues/${id}`)).body;
    const onTimeline = timeline.filter((entry: { type: string }) => entry.type === 'email').map((entry: { key: string }) => entry.key);
    expect(onTimeline.sort()).toEqual(sent.map((email) => email.key).sort());
  });
});

describe('POST /issues/{id}/preview: the customer email an update would send, sending and recording nothing', () => {
  it('renders the update as the workflow will send it', async () => {
    const { id } = (await env.client.post('/issues', { customerId: 'acme', title: 'Mail delayed', severity: 'sev2', description: 'x' }))
      .body;
    await env.runtime.tracker.idle();
    const before = {
      emails: (await sentEmails(env.runtime.store, `ISSUE#${id}`)).length,
      issue: (await env.client.get(`/issues/${id}`)).body,
    };
    const preview = await env.client.post(`/issues/${id}/preview`, {
      type: 'update',
      message: 'A mail relay is being replaced.',
      etr: '2026-11-03T12:00:00Z',
    });
    expect(preview.status).toBe(200);
    expect(preview.body.to).toEqual(['ann@acme.test']);
    expect(preview.body.subject).toBe(`[${id}] Update: Mail delayed`);
    expect(preview.body.text).toContain('A mail relay is being replaced.');
    expect(preview.body.text).toContain('/links/(signed link, hidden)');
    expect(preview.body.text).toMatch(/Estimated time of repair: Tue 3 Nov 2026, 13:00/); // the customer's zone, Berlin

    await env.runtime.tracker.idle();
    expect((await sentEmails(env.runtime.store, `ISSUE#${id}`)).length).toBe(before.emails);
    const after = (await env.client.get(`/issues/${id}`)).body;
    expect(after.eventSeq).toBe(before.issue.eventSeq);
    expect(after.timeline).toHaveLength(before.issue.timeline.length);
  });

  it('refuses what recording the update would refuse: a 400 naming the field, a 409 for a resolved issue, a 404 for none', async () => {
    const { id } = (await env.client.post('/issues', { customerId: 'acme', title: 'Printer', severity: 'sev4', description: 'x' })).body;
    const past = await env.client.post(`/issues/${id}/preview`, { type: 'update', message: 'x', etr: '2020-01-01T00:00:00Z' });
    expect(past.status).toBe(400);
    expect(past.body.error).toContain('etr');
    const empty = await env.client.post(`/issues/${id}/preview`, { type: 'update', message: '' });
    expect(empty.status).toBe(400);
    expect(JSON.stringify(empty.body)).toContain('message');
    const notUpdate = await env.client.post(`/issues/${id}/preview`, { type: 'close' });
    expect(notUpdate.status).toBe(400);
    await env.client.post(`/issues/${id}/events`, { type: 'resolve' });
    expect((await env.client.post(`/issues/${id}/preview`, { type: 'update', message: 'x' })).status).toBe(409);
    expect((await env.client.post('/issues/ISS-99999/preview', { type: 'update', message: 'x' })).status).toBe(404);
  });

  it(`a long timeline: the view holds the newest ${TIMELINE_IN_VIEW} entries, GET /issues/{id}/timeline the older ones a page at a time`, async () => {
    const { id } = (await env.client.post('/issues', { customerId: 'acme', title: 'Flapping link', severity: 'sev3' })).body;
    await env.runtime.tracker.idle();
    for (let n = 0; n < TIMELINE_IN_VIEW + 20; n++)
      expect((await env.client.post(`/issues/${id}/events`, { type: 'note', message: `Note ${n}`, eventId: `note-${n}` })).status).toBe(
        202,
      );
    const view = (await env.client.get(`/issues/${id}`)).body;
    expect(view.timeline).toHaveLength(TIMELINE_IN_VIEW);
    expect(view.timelineNext).toEqual(expect.any(String));
    const ats = view.timeline.map((entry: { at: string }) => entry.at);
    expect(ats).toEqual([...ats].sort()); // oldest first, as before

    const older: { type: string; at: string; to?: string[]; subject?: string }[] = [];
    let after: string | undefined = view.timelineNext;
    while (after) {
      const page = await env.client.get(`/issues/${id}/timeline?limit=7&after=${encodeURIComponent(after)}`);
      expect(page.status).toBe(200);
      expect(page.body.timeline.length).toBeLessThanOrEqual(7);
      older.push(...page.body.timeline);
      after = page.body.next;
    }
    // Every entry once: the creation, its acknowledgement email (with its recipients and subject) and 220 notes.
    const all = [...older.reverse(), ...view.timeline];
    expect(all.filter((entry) => entry.type === 'note')).toHaveLength(TIMELINE_IN_VIEW + 20);
    expect(new Set(all.map((entry) => JSON.stringify(entry))).size).toBe(all.length);
    const email = all.find((entry) => entry.type === 'email');
    expect(email?.to).toEqual(['ann@acme.test']);
    expect(email?.subject).toContain('Flapping link');
    expect(
      all
        .slice(0, 2)
        .map((entry) => entry.type)
        .sort(),
    ).toEqual(['email', 'opened']); // one instant, the oldest

    for (const [query, field] of [
      ['limit=0', 'limit'],
      ['limit=501', 'limit'],
      [`after=${'x'.repeat(301)}`, 'after'],
      ['since=yesterday', 'since'],
    ]) {
      const bad = await env.client.get(`/issues/${id}/timeline?${query}`);
      expect([bad.status, bad.body.error]).toEqual([400, expect.stringContaining(field)]);
    }
    expect((await env.client.get('/issues/ISS-999999/timeline')).status).toBe(404);
  });

  it('fifty notes on one issue at once: each is recorded and answered 202 (the racing writers back off and try again)', async () => {
    const { id } = (await env.client.post('/issues', { customerId: 'acme', title: 'Busy issue', severity: 'sev3' })).body;
    await env.runtime.tracker.idle();
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, n) =>
        env.client.post(`/issues/${id}/events`, { type: 'note', message: `At once ${n}`, eventId: `once-${n}` }),
      ),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array(50).fill(202));
    const notes = (await env.client.get(`/issues/${id}`)).body.timeline.filter((entry: { type: string }) => entry.type === 'note');
    expect(notes).toHaveLength(50);
  });
});
