import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { signLink } from '../../kernel/links.ts';
import { sentEmails } from '../../kernel/email-channel.ts';
import { latestEmail, linkIn, submitLink, useRuntime } from '../support/runtime.ts';

const env = useRuntime({ clockStart: '2026-11-27T16:00:00Z' }); // Friday 17:00 in Berlin, before the first scenario

const berlin = (iso: string) => DateTime.fromISO(iso, { zone: 'Europe/Berlin' }).toUTC().toISO()!;
const inBerlin = (iso: string) => DateTime.fromISO(iso).setZone('Europe/Berlin').toFormat('ccc yyyy-MM-dd HH:mm');
const emailsOf = async (id: string) =>
  (await sentEmails(env.runtime.store, `ISSUE#${id}`)).sort((a, b) => a.sentAt.localeCompare(b.sentAt));
const templates = async (id: string) => (await emailsOf(id)).map((email) => email.template);
const moveTo = (iso: string) => env.client.moveTo(iso);
const now = () => env.client.now();
const settle = () => env.runtime.tracker.idle();
const open = async (body: Record<string, unknown>) => {
  const created = await env.client.post('/issues', { customerId: 'acme', title: 'Something broke', ...body });
  expect(created.status).toBe(201);
  await settle();
  return created.body.id as string;
};
const event = async (id: string, body: Record<string, unknown>, status = 202) => {
  const response = await env.client.post(`/issues/${id}/events`, body);
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  await settle();
  return response.body;
};
const issue = async (id: string) => (await env.client.get(`/issues/${id}`)).body;
const submit = async (url: string, comment?: string) => {
  const result = await submitLink(url, comment);
  await settle();
  return result;
};

// The scenarios run in this order on one manual clock that only moves forward.
describe('issue lifecycle under the manual clock', () => {
  it('sev3 opened Friday 17:55 Berlin: nothing over the weekend; the team lead is told Monday 13:00 (4 business hours)', async () => {
    await moveTo(berlin('2026-11-27T17:55'));
    const id = await open({ severity: 'sev3', title: 'Report export slow' });
    expect(await templates(id)).toEqual(['acknowledgement']);
    expect(inBerlin((await issue(id)).nextUpdateAt)).toBe('Tue 2026-12-01 09:00');

    await moveTo(berlin('2026-11-30T12:59'));
    expect(await templates(id)).toEqual(['acknowledgement']);
    expect((await issue(id)).escalationLevel).toBe(0);

    await moveTo(berlin('2026-11-30T13:00'));
    const escalation = (await emailsOf(id)).find((email) => email.template === 'escalation')!;
    expect(escalation.to).toEqual(['tina@provider.test']);
    expect(inBerlin(escalation.sentAt)).toBe('Mon 2026-11-30 13:00');
    expect((await issue(id)).escalationLevel).toBe(1);

    // The promised update (one per business day) is due Tuesday 09:00: the owner is nudged 10 min before; sev3 sends no holding update.
    await moveTo(berlin('2026-12-01T09:00'));
    const nudge = (await emailsOf(id)).find((email) => email.template === 'nudge')!;
    expect(inBerlin(nudge.sentAt)).toBe('Tue 2026-12-01 08:50');
    expect(await templates(id)).not.toContain('holding-update');
    expect((await issue(id)).cadence).toEqual({ kept: 0, missed: 1 });
    await event(id, { type: 'resolve' });
  });

  it('update with an ETR, then the ETR passes unresolved: owner warned 15 min before, customer told it is under review, one level up', async () => {
    await moveTo(berlin('2026-12-02T10:00'));
    const id = await open({ severity: 'sev2', title: 'VPN flapping', owner: { name: 'Otto Owner', email: 'otto@provider.test' } });
    await event(id, { type: 'acknowledge' });
    const etr = new Date(Date.parse(await now()) + 3600_000).toISOString();
    await event(id, { type: 'update', message: 'A faulty optic is being replaced.', etr });
    const update = await latestEmail(env.runtime, 'ann@acme.test', `[${id}] Update: VPN flapping`);
    expect(update.body.text).toContain('A faulty optic is being replaced.');
    expect(update.body.text).toMatch(/Estimated time of repair: Wed 2 Dec 2026, 11:00/);
    expect((await issue(id)).etrHistory).toHaveLength(1);

    await env.client.advance('PT45M');
    expect((await emailsOf(id)).filter((email) => email.template === 'etr-warning').map((email) => email.to)).toEqual([
      ['otto@provider.test'],
    ]);
    expect((await issue(id)).escalationLevel).toBe(0);

    await env.client.advance('PT15M');
    const after = await emailsOf(id);
    expect(after.filter((email) => email.template === 'etr-review').map((email) => email.to)).toEqual([['ann@acme.test']]);
    const escalations = after.filter((email) => email.template === 'escalation');
    expect(escalations.map((email) => email.to)).toEqual([['tina@provider.test']]);
    expect((await latestEmail(env.runtime, 'tina@provider.test', id)).body.text).toMatch(/the ETR .* passed unresolved/);
    expect((await issue(id)).escalationLevel).toBe(1);

    // A new ETR: its own warning later, and the ladder stays where it is until it passes too.
    await event(id, { type: 'set-etr', etr: new Date(Date.parse(await now()) + 7200_000).toISOString(), reason: 'spare part delayed' });
    expect((await issue(id)).etrHistory.map((entry: { reason?: string }) => entry.reason)).toEqual([undefined, 'spare part delayed']);
    await event(id, { type: 'resolve', rfo: 'A faulty optic on the core switch.' });
  });

  it('RFO accepted by link: GET shows the page and changes nothing, POST accepts and closes; a second POST changes nothing', async () => {
    const id = await open({ severity: 'sev1', title: 'Data centre power' });
    await event(id, { type: 'acknowledge' });
    expect((await env.client.post(`/issues/${id}/events`, { type: 'resolve' })).body.error).toMatch(/^rfo: .*required/);
    await event(id, { type: 'resolve', rfo: 'A UPS failed during maintenance.' });
    const resolution = await latestEmail(env.runtime, 'ann@acme.test', `[${id}] Resolved`);
    expect(resolution.body.text).toContain('A UPS failed during maintenance.');
    expect(resolution.body.text).not.toContain('Escalate to our management');
    const accept = linkIn(resolution.body.text, 'accept');

    const page = await fetch(accept);
    expect(page.status).toBe(200);
    const pageText = await page.text();
    expect(pageText).toContain('<form method="post">');
    expect(pageText).toContain('A UPS failed during maintenance.');
    expect((await issue(id)).status).toBe('resolved');

    const accepted = await submit(accept);
    expect(accepted.status).toBe(200);
    expect(accepted.text).toContain('is closed');
    const closed = await issue(id);
    expect(closed.status).toBe('closed');
    expect(closed.rfo).toMatchObject({ status: 'accepted', acceptedBy: 'customer' });
    expect((await templates(id)).sort()).toEqual(['acknowledgement', 'closure', 'resolution']);

    const again = await submit(accept);
    expect(again.status).toBe(409);
    expect(again.text).toContain('was accepted on');
    expect(await templates(id)).toHaveLength(3);
  });

  it('RFO disputed, revised, then accepted: the owner and service manager get the comment; old links are stale', async () => {
    const id = await open({ severity: 'sev2', title: 'Mail delays' });
    await event(id, { type: 'resolve', rfo: 'A queue filled up.' });
    const first = await latestEmail(env.runtime, 'ann@acme.test', `[${id}] Resolved`);
    const disputed = await submit(linkIn(first.body.text, 'dispute'), 'Why did nobody notice the queue for six hours?');
    expect(disputed.status).toBe(200);
    expect((await issue(id)).rfo.status).toBe('disputed');
    const notice = await latestEmail(env.runtime, 'tina@provider.test', `[${id}] RFO disputed`);
    expect(notice.body.text).toContain('Why did nobody notice the queue for six hours?');
    expect((notice as unknown as { destination: { cc?: string[] } }).destination.cc).toEqual(['sam@provider.test']);

    await event(id, { type: 'revise-rfo', rfo: 'A queue filled up; its alert was routed to a retired mailbox. Alert routing is fixed.' });
    const revised = await latestEmail(env.runtime, 'ann@acme.test', `[${id}] Revised reason for outage`);
    expect(revised.body.text).toContain('revision 2');
    expect((await submit(linkIn(first.body.text, 'accept'))).status).toBe(409);
    expect((await submit(linkIn(revised.body.text, 'accept'))).status).toBe(200);
    expect((await issue(id)).status).toBe('closed');
    expect((await templates(id)).sort()).toEqual(['acknowledgement', 'closure', 'resolution', 'resolution', 'rfo-dispute']);
  });

  it('RFO silence: a reminder after 2 business days, accepted automatically after 5, recorded as such', async () => {
    await moveTo(berlin('2026-12-07T10:00')); // Monday
    const id = await open({ severity: 'sev2', title: 'DNS outage' });
    await event(id, { type: 'resolve', rfo: 'An expired DNSSEC key.' });
    await moveTo(berlin('2026-12-09T09:59'));
    expect(await templates(id)).not.toContain('rfo-reminder');
    await moveTo(berlin('2026-12-09T10:00'));
    expect(await templates(id)).toContain('rfo-reminder');
    await moveTo(berlin('2026-12-14T09:59'));
    expect((await issue(id)).status).toBe('resolved');
    await moveTo(berlin('2026-12-14T10:00'));
    const closed = await issue(id);
    expect(closed.status).toBe('closed');
    expect(closed.rfo).toMatchObject({ status: 'accepted', acceptedBy: 'auto' });
    expect((await latestEmail(env.runtime, 'ann@acme.test', `[${id}] Closed`)).body.text).toContain('taken as accepted');
  });

  it('customer escalation link: one level up, the service manager told at once, the customer told who; once per hour', async () => {
    const id = await open({ severity: 'sev2', title: 'Slow portal' });
    const ack = await latestEmail(env.runtime, 'ann@acme.test', `[${id}] We are working on`);
    const escalate = linkIn(ack.body.text, 'escalate');
    expect((await fetch(escalate)).status).toBe(200);
    expect((await issue(id)).escalationLevel).toBe(0);

    expect((await submit(escalate, 'We are losing orders.')).status).toBe(200);
    expect((await issue(id)).escalationLevel).toBe(1);
    const toLead = await latestEmail(env.runtime, 'tina@provider.test', `[${id}] Escalation`);
    expect(toLead.body.text).toContain('the customer escalated: "We are losing orders."');
    expect((toLead as unknown as { destination: { cc?: string[] } }).destination.cc).toEqual(['sam@provider.test']);
    expect((await latestEmail(env.runtime, 'ann@acme.test', `[${id}] Escalated`)).body.text).toContain('Sam Manager, your service manager');

    const tooSoon = await submit(escalate);
    expect(tooSoon.status).toBe(409);
    expect(tooSoon.text).toContain('You can escalate again from');
    await env.client.advance('PT25M'); // not acknowledged after 30 min would be level 1 anyway
    await env.client.advance('PT36M');
    expect((await submit(escalate)).status).toBe(200);
    expect((await issue(id)).escalationLevel).toBe(2);
    expect((await emailsOf(id)).filter((email) => email.template === 'escalation').map((email) => email.to[0])).toEqual([
      'tina@provider.test',
      'sam@provider.test',
    ]);
    expect((await emailsOf(id)).filter((email) => email.template === 'escalation-confirmation')).toHaveLength(2);
    await event(id, { type: 'close' });
  });

  it('a link posted several times at once acts once: one escalation, one RFO dispute', async () => {
    const id = await open({ severity: 'sev2', title: 'Flaky DNS' });
    const ack = await latestEmail(env.runtime, 'ann@acme.test', `[${id}] We are working on`);
    const escalations = await Promise.all([1, 2, 3].map(() => submit(linkIn(ack.body.text, 'escalate'), 'Hurry')));
    expect(escalations.map(({ status }) => status)).toContain(200);
    expect((await issue(id)).customerEscalations).toHaveLength(1);
    expect((await emailsOf(id)).filter((email) => email.template === 'escalation-confirmation')).toHaveLength(1);

    await event(id, { type: 'resolve', rfo: 'A resolver crashed.' });
    const resolved = await latestEmail(env.runtime, 'ann@acme.test', `[${id}] Resolved`);
    await Promise.all([1, 2, 3].map(() => submit(linkIn(resolved.body.text, 'dispute'), 'Which resolver?')));
    expect((await issue(id)).rfo.disputes).toHaveLength(1);
    expect((await emailsOf(id)).filter((email) => email.template === 'rfo-dispute')).toHaveLength(1);
    await event(id, { type: 'close' });
  });

  it('reopen: a fresh start each time, in a new workflow generation (no old ETR, acknowledgement due from now, the customer told)', async () => {
    const id = await open({ severity: 'sev2', title: 'Backup job fails' });
    await event(id, { type: 'acknowledge' });
    const inAnHour = new Date(Date.parse(await env.client.now()) + 3_600_000).toISOString();
    await event(id, { type: 'update', message: 'Looking at the disk.', etr: inAnHour });
    await event(id, { type: 'resolve', rfo: 'Disk full.' });
    await event(id, { type: 'reopen', reason: 'fails again' });
    const first = await issue(id);
    expect(first).toMatchObject({ status: 'open', generation: 2, reopenCount: 1 });
    expect(first.etr ?? undefined).toBeUndefined();
    expect(first.acknowledgedAt ?? undefined).toBeUndefined();
    expect(Date.parse(first.ackDueAt)).toBeGreaterThan(Date.parse(first.createdAt));
    await event(id, { type: 'resolve', rfo: 'Disk full; retention shortened.' });
    await event(id, { type: 'close' });
    await event(id, { type: 'reopen', reason: 'fails once more' });
    const reopened = await issue(id);
    expect(reopened).toMatchObject({ status: 'open', generation: 3, reopenCount: 2 });
    expect((await env.client.get(`/_local/executions/issue-lifecycle/issue-${id}-g2`)).body.status).toBe('SUCCEEDED');
    expect((await env.client.get(`/_local/executions/issue-lifecycle/issue-${id}-g3`)).body.status).toBe('RUNNING');
    // "We are on it" at the opening and at each reopen: the customer is told at once.
    expect((await emailsOf(id)).filter((email) => email.template === 'acknowledgement')).toHaveLength(3);
    await event(id, { type: 'close' });
  });

  it('sev3 opened Thursday 24 Dec 17:55: Christmas Day (a public holiday in DE) and the weekend do not count; the team lead is told Monday 13:00', async () => {
    await moveTo(berlin('2026-12-24T17:55'));
    const id = await open({ severity: 'sev3', title: 'Holiday issue' });
    await moveTo(berlin('2026-12-28T12:59'));
    expect(await templates(id)).toEqual(['acknowledgement']);
    await moveTo(berlin('2026-12-28T13:00'));
    expect(await templates(id)).toEqual(['acknowledgement', 'escalation']);
    await event(id, { type: 'close' });
  });

  it('bad input: 400 naming the field, 404 for an unknown issue, 409 for a wrong state, 400/410 pages for bad links', async () => {
    const id = await open({ severity: 'sev4', title: 'Typo on invoice page' });
    const past = await env.client.post(`/issues/${id}/events`, { type: 'set-etr', etr: '2020-01-01T00:00:00Z' });
    expect(past.status).toBe(400);
    expect(past.body.details).toEqual([{ field: 'etr', problem: 'must be in the future' }]);
    const wrongType = await env.client.post(`/issues/${id}/events`, { type: 'explode' });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.error).toMatch(/^type: /);
    expect((await env.client.post('/issues/ISS-999999/events', { type: 'note', message: 'x' })).status).toBe(404);
    expect((await env.client.post(`/issues/${id}/events`, { type: 'accept-rfo' })).status).toBe(409);
    const ack = await latestEmail(env.runtime, 'ann@acme.test', `[${id}] We are working on`);
    const link = linkIn(ack.body.text, 'escalate');
    const tampered = link.replace(/\.([^.]+)$/, (_, sig: string) => `.${sig.startsWith('A') ? 'B' : 'A'}${sig.slice(1)}`);
    expect((await fetch(tampered)).status).toBe(400);
    expect((await submit(tampered)).status).toBe(400);
    // Signed by Steward, but for an action no module acts on (one removed since): a 400 page, nothing done.
    const unknownAction = signLink(
      { i: id, a: 'reopen', e: Math.floor(Date.parse(await env.client.now()) / 1000) + 3600 },
      await env.runtime.deps.settings.linkKey(),
    );
    expect((await fetch(`${env.runtime.urls.api}/links/${unknownAction}`)).status).toBe(400);
    expect((await submit(`${env.runtime.urls.api}/links/${unknownAction}`)).status).toBe(400);
    expect((await issue(id)).customerEscalations).toEqual([]);
    // Closed first, so the month passes without a sev4's month of follow-ups (a link's expiry does not depend on its issue).
    await event(id, { type: 'close' });
    await env.client.advance('P31D');
    const expired = await fetch(link);
    expect(expired.status).toBe(410);
    expect(await expired.text()).toMatch(/expired/i);
  }, 180_000); // a month on the manual clock runs every hourly job of the month (about 1,500 invocations)
});
