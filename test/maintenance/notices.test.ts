import { describe, expect, it } from 'vitest';
import { acme, type InboxEmail, inbox, useRuntime } from '../support/runtime.ts';

// The clock starts Monday 2 Nov 2026, 08:00 UTC: 09:00 in Berlin (acme), 21:00 in Auckland (kiwi).
const env = useRuntime({
  setup: async (client) => {
    await client.post('/customers', {
      ...acme,
      id: 'kiwi',
      name: 'Kiwi Transit',
      timezone: 'Pacific/Auckland',
      country: 'NZ',
      emailDomains: ['kiwi.test'],
      contacts: [{ name: 'Kiri Tane', email: 'kiri@kiwi.test', roles: ['technical'] }],
    });
    for (const [customerId, serviceId, name, kind] of [
      ['acme', 'fra-core', 'Frankfurt core router', 'device'],
      ['acme', 'fra-uplink', 'Frankfurt uplink', 'circuit'],
      ['kiwi', 'akl-link', 'Auckland access link', 'circuit'],
    ])
      await client.call('PUT', `/customers/${customerId}/services/${serviceId}`, { name, kind });
  },
});

const upgrade = {
  title: 'Core router software upgrade',
  description: 'We upgrade the core routers to a release that fixes a memory leak.',
  // Thursday 12 Nov, 20:00 UTC: eight business days ahead; 21:00 in Berlin, Friday 09:00 in Auckland.
  start: '2026-11-12T20:00:00Z',
  end: '2026-11-12T23:00:00Z',
  impact: 'outage',
  services: [
    { customerId: 'acme', serviceId: 'fra-core' },
    { customerId: 'acme', serviceId: 'fra-uplink' },
    { customerId: 'kiwi', serviceId: 'akl-link' },
  ],
};

const mailsAbout = async (id: string) => (await inbox(env.runtime)).filter((mail) => mail.subject.startsWith(`[${id}]`));
const to = (mails: InboxEmail[], address: string) => mails.filter((mail) => mail.destination.to.includes(address));
const event = async (id: string, body: unknown) => {
  const answer = await env.client.post(`/maintenances/${id}/events`, body);
  expect(answer.status, JSON.stringify(answer.body)).toBe(202);
  await env.runtime.tracker.idle();
};

describe('planned maintenance, told to exactly the affected customers in their own zone', () => {
  it('notice, a reminder on each customer’s business day before, started, extended and completed: each once', async () => {
    const created = await env.client.post('/maintenances', upgrade);
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect(id).toBe('MNT-1001');
    await env.runtime.tracker.idle();

    let mails = await mailsAbout(id);
    expect(mails.map((mail) => mail.subject)).toEqual([
      `[${id}] Planned maintenance: Core router software upgrade`,
      `[${id}] Planned maintenance: Core router software upgrade`,
    ]);
    const [acmeNotice] = to(mails, 'ann@acme.test');
    const [kiwiNotice] = to(mails, 'kiri@kiwi.test');
    // One email per customer, naming only their own services, with times in their own zone.
    expect(acmeNotice.body.text).toContain('Hello Ann Admin,');
    expect(acmeNotice.body.text).toContain('from Thu 12 Nov 2026, 21:00');
    expect(acmeNotice.body.text).toContain('  - Frankfurt core router\n  - Frankfurt uplink');
    expect(acmeNotice.body.text).not.toContain('Auckland');
    expect(acmeNotice.body.text).not.toContain('shorter notice');
    expect(kiwiNotice.body.text).toContain('from Fri 13 Nov 2026, 09:00');
    expect(kiwiNotice.body.text).toContain('  - Auckland access link');
    expect(kiwiNotice.body.text).not.toContain('Frankfurt');

    // Berlin's business day before starts Wednesday 11 Nov 09:00 CET (08:00 UTC); Auckland's Thursday 09:00 NZDT (Wednesday 20:00 UTC).
    await env.client.moveTo('2026-11-11T07:59:00Z');
    expect((await mailsAbout(id)).length).toBe(2);
    await env.client.moveTo('2026-11-11T08:01:00Z');
    mails = await mailsAbout(id);
    expect(to(mails, 'ann@acme.test').map((mail) => mail.subject)).toContain(`[${id}] Reminder: planned maintenance Thu 12 Nov 2026`);
    expect(to(mails, 'kiri@kiwi.test')).toHaveLength(1);
    await env.client.moveTo('2026-11-11T20:01:00Z');
    expect(to(await mailsAbout(id), 'kiri@kiwi.test').map((mail) => mail.subject)).toContain(
      `[${id}] Reminder: planned maintenance Fri 13 Nov 2026`,
    );

    await env.client.moveTo('2026-11-12T20:00:00Z');
    await event(id, { type: 'start' });
    await env.client.moveTo('2026-11-12T22:30:00Z');
    await event(id, { type: 'extend', end: '2026-11-13T01:00:00Z' });
    await env.client.moveTo('2026-11-13T00:40:00Z');
    await event(id, { type: 'complete' });

    mails = await mailsAbout(id);
    expect(to(mails, 'ann@acme.test').map((mail) => mail.subject)).toEqual([
      `[${id}] Planned maintenance: Core router software upgrade`,
      `[${id}] Reminder: planned maintenance Thu 12 Nov 2026`,
      `[${id}] Maintenance started: Core router software upgrade`,
      `[${id}] Maintenance extended until Fri 13 Nov 2026, 02:00 CET`,
      `[${id}] Maintenance completed: Core router software upgrade`,
    ]);
    expect(to(mails, 'kiri@kiwi.test')).toHaveLength(5);
    expect(to(mails, 'kiri@kiwi.test')[3].subject).toBe(`[${id}] Maintenance extended until Fri 13 Nov 2026, 14:00 GMT+13`);
    const stored = await env.client.get(`/maintenances/${id}`);
    expect(stored.body).toMatchObject({ status: 'completed', end: '2026-11-13T01:00:00.000Z' });
    // Nothing more follows: the run is over, and a repeated event is refused without a second email.
    expect((await env.client.post(`/maintenances/${id}/events`, { type: 'complete' })).status).toBe(409);
    await env.runtime.tracker.idle();
    expect(await mailsAbout(id)).toHaveLength(10);
  }, 180_000); // eleven days on the manual clock run every hourly job of them

  it('scheduled closer than the policy’s five business days: the notice goes at once and says it is short', async () => {
    const created = await env.client.post('/maintenances', {
      ...upgrade,
      title: 'Fibre splice',
      start: '2026-11-17T06:00:00Z', // Tuesday: two business days from Friday 13 Nov
      end: '2026-11-17T08:00:00Z',
      services: [{ customerId: 'acme', serviceId: 'fra-uplink' }],
    });
    expect(created.status).toBe(201);
    await env.runtime.tracker.idle();
    const [notice] = await mailsAbout(created.body.id);
    expect(notice.destination.to).toEqual(['ann@acme.test']);
    expect(notice.body.text).toContain('This is shorter notice than the 5 business days we promise');
    // Moved a week later: announced again as rescheduled, now with the full notice; a change of words alone is not.
    const moved = await env.client.call('PATCH', `/maintenances/${created.body.id}`, {
      start: '2026-11-24T06:00:00Z',
      end: '2026-11-24T08:00:00Z',
    });
    expect(moved.status).toBe(200);
    expect(moved.body.revision).toBe(2);
    expect((await env.client.call('PATCH', `/maintenances/${created.body.id}`, { description: 'Two splices.' })).body.revision).toBe(2);
    expect((await env.client.call('PATCH', `/maintenances/${created.body.id}`, { end: '2026-11-24T05:00:00Z' })).status).toBe(400);
    await env.runtime.tracker.idle();
    const rescheduled = (await mailsAbout(created.body.id))[1];
    expect(rescheduled.subject).toBe(`[${created.body.id}] Rescheduled: Fibre splice`);
    expect(rescheduled.body.text).toContain('we have moved planned maintenance');
    expect(rescheduled.body.text).toContain('from Tue 24 Nov 2026, 07:00 CET');
    expect(rescheduled.body.text).not.toContain('shorter notice');
    // Cancelled: the customer who was told hears it is off.
    await event(created.body.id, { type: 'cancel', reason: 'The splice crew is needed for a customer outage.' });
    const mails = await mailsAbout(created.body.id);
    expect(mails.map((mail) => mail.subject)).toEqual([
      `[${created.body.id}] Planned maintenance: Fibre splice`,
      `[${created.body.id}] Rescheduled: Fibre splice`,
      `[${created.body.id}] Cancelled: planned maintenance Fibre splice`,
    ]);
    expect(mails[2].body.text).toContain('Why: The splice crew is needed for a customer outage.');
    expect((await env.client.call('PATCH', `/maintenances/${created.body.id}`, { title: 'Too late' })).status).toBe(409);
  });

  it('bad input: a 4xx naming the field, nothing stored', async () => {
    const listed = async () =>
      (await env.client.get('/maintenances?from=2026-11-01T00:00:00Z&to=2027-06-01T00:00:00Z')).body.maintenances.length;
    const before = await listed();
    const later = { ...upgrade, start: '2026-12-10T20:00:00Z', end: '2026-12-10T23:00:00Z' };
    const cases: [unknown, number, string][] = [
      [{ ...later, end: '2026-12-10T19:00:00Z' }, 400, 'end'],
      [{ ...later, start: '2026-11-01T20:00:00Z' }, 400, 'start'],
      [{ ...later, end: '2026-12-30T20:00:00Z' }, 400, 'end'],
      [{ ...later, services: [{ customerId: 'acme', serviceId: 'akl-link' }] }, 400, 'services[0].serviceId'],
      [{ ...later, services: [...later.services, { customerId: 'kiwi', serviceId: 'nope' }] }, 400, 'services[3].serviceId'],
      [{ ...later, services: Array.from({ length: 10_000 }, () => ({ customerId: 'acme', serviceId: 'fra-core' })) }, 400, 'services'],
      [{ ...later, services: [] }, 400, 'services'],
      [{ ...later, impact: 'apocalypse' }, 400, 'impact'],
    ];
    for (const [body, status, field] of cases) {
      const answer = await env.client.post('/maintenances', body);
      expect(answer.status, field).toBe(status);
      expect(answer.body.details?.[0]?.field, JSON.stringify(answer.body)).toBe(field);
    }
    expect((await env.client.get('/maintenances/MNT-99999')).status).toBe(404);
    expect((await env.client.get('/maintenances?from=2026-01-01&to=2028-01-01')).status).toBe(400);
    expect(await listed()).toBe(before);
  });
});
