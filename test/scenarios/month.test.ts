import { join } from 'node:path';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customerEmails } from '../../kernel/email-channel.ts';
import { eventually, realClient, startAlertmanager } from '../support/real-clients.ts';
import { inbox, type InboxEmail, sendMail, useRuntime } from '../support/runtime.ts';

const alertmanager = realClient('prometheus-alertmanager', 'prometheus-alertmanager');
const swaks = realClient('swaks', 'swaks');
const skip = !alertmanager.available || !swaks.available;

/**
 * One month as a provider lives it, December 2026, with a customer in Berlin and one in Sydney:
 * invoices by CSV, a real Alertmanager alert, a customer's email reply, the promise link, a dispute,
 * payments, the suspension approved by its link. The test reads every email Steward sent and checks
 * its order, time, recipients and wording.
 */
describe.skipIf(skip)(
  `a month with two customers, Berlin and Sydney${skip ? ` (skipped: ${alertmanager.reason}; ${swaks.reason})` : ''}`,
  () => {
    // Monday 30 November 2026, 08:00 in Berlin, 18:00 in Sydney.
    const env = useRuntime({ clockStart: '2026-11-30T07:00:00Z' });
    const team = {
      teamLead: { name: 'Tina Lead', email: 'tina@provider.test', timezone: 'Europe/Berlin' },
      serviceManager: { name: 'Sam Manager', email: 'sam@provider.test', timezone: 'Europe/Berlin' },
      director: { name: 'Dora Director', email: 'dora@provider.test', timezone: 'Europe/Berlin' },
    };
    const nordwind = {
      id: 'nordwind',
      name: 'Nordwind Logistik GmbH',
      tier: 'gold',
      timezone: 'Europe/Berlin',
      country: 'DE',
      emailDomains: ['nordwind.test'],
      contacts: [
        { name: 'Jonas Weber', email: 'jonas@nordwind.test', roles: ['technical'] },
        { name: 'Petra Schulz', email: 'petra@nordwind.test', roles: ['billing'] },
      ],
      team,
    };
    const harbour = {
      id: 'harbour',
      name: 'Harbour Analytics Pty Ltd',
      tier: 'silver',
      timezone: 'Australia/Sydney',
      country: 'AU',
      emailDomains: ['harbour.test'],
      contacts: [
        { name: 'Liam Nguyen', email: 'liam@harbour.test', roles: ['technical'] },
        { name: 'Mia Chen', email: 'mia@harbour.test', roles: ['billing'] },
      ],
      team,
    };
    const zones: Record<string, string> = { nordwind: 'Europe/Berlin', harbour: 'Australia/Sydney' };
    const at = (zone: string, local: string) => DateTime.fromISO(local, { zone }).toUTC().toISO()!;
    const berlin = (local: string) => at('Europe/Berlin', local);
    const sydney = (local: string) => at('Australia/Sydney', local);
    const moveTo = async (instant: string) => {
      await env.client.moveTo(instant);
      await env.runtime.tracker.idle();
    };
    const ok = async (method: string, path: string, body?: unknown, status = [200, 201, 202]) => {
      const response = await env.client.call(method, path, body);
      expect(status, `${method} ${path}: ${JSON.stringify(response.body)}`).toContain(response.status);
      await env.runtime.tracker.idle();
      return response.body;
    };

    let am: Awaited<ReturnType<typeof startAlertmanager>>;
    beforeAll(async () => {
      await ok('POST', '/customers', nordwind);
      await ok('POST', '/customers', harbour);
      am = await startAlertmanager(join(env.options.dataDir, 'alertmanager'), { url: env.runtime.urls.api, token: env.runtime.apiToken });
    });
    afterAll(async () => {
      await am?.stop();
    });

    const postAlert = async (endsAt?: number) => {
      const startsAt = new Date((await am.now()) - 60_000).toISOString();
      await am.post([
        {
          labels: { alertname: 'TrackingApiDown', customer: 'nordwind', severity: 'critical', instance: 'tracking-api' },
          annotations: { summary: 'Tracking API down', description: 'All tracking requests fail with 503' },
          startsAt,
          ...(endsAt ? { endsAt: new Date(endsAt).toISOString() } : {}),
        },
      ]);
    };

    /** Every email Steward sent about a customer, in order, with the time its reader reads it in. */
    const mail = async () => {
      const all = await inbox(env.runtime);
      const byId = new Map(all.map((email) => [email.messageId, email]));
      const rows: { at: string; zone: string; to: string[]; subject: string; template: string; email: InboxEmail }[] = [];
      for (const customerId of ['nordwind', 'harbour'])
        for (const sent of await customerEmails(env.runtime.store, customerId)) {
          const email = byId.get(sent.messageId)!;
          const internal = sent.to.every((address) => address.endsWith('@provider.test'));
          rows.push({
            at: sent.sentAt,
            zone: internal ? 'Europe/Berlin' : zones[customerId],
            to: sent.to,
            subject: sent.subject,
            template: sent.template,
            email,
          });
        }
      return rows.sort((a, b) => a.at.localeCompare(b.at) || a.subject.localeCompare(b.subject));
    };
    const line = (row: Awaited<ReturnType<typeof mail>>[number]) =>
      `${DateTime.fromISO(row.at, { zone: row.zone }).toFormat('ccc dd LLL HH:mm')} ${row.zone === 'Australia/Sydney' ? 'SYD' : 'BER'} ${row.to.map((to) => to.split('@')[0]).join(',')}: ${row.subject}`;

    it('the whole month', async () => {
      // Monday 18:00 in Berlin is Tuesday 04:00 in Sydney: the CSV import mails nobody at that hour.
      await moveTo(berlin('2026-11-30T18:00'));
      const csv = [
        'invoice_number,customer_id,issue_date,due_date,currency,amount,amount_paid',
        'NW-1001,nordwind,2026-10-21,2026-11-20,EUR,4800.00,0',
        'NW-1002,nordwind,2026-11-11,2026-12-11,EUR,1200.00,0',
        'HA-2001,harbour,2026-10-17,2026-11-16,AUD,7500.00,0',
        'HA-2002,harbour,2026-11-15,2026-12-15,AUD,900.00,0',
      ].join('\n');
      const imported = await fetch(`${env.runtime.urls.api}/invoices/import`, {
        method: 'POST',
        headers: { authorization: `Bearer ${env.runtime.apiToken}`, 'content-type': 'text/csv' },
        body: csv,
      });
      expect(imported.status).toBeLessThan(300);
      await env.runtime.tracker.idle();
      await moveTo(berlin('2026-11-30T19:00'));
      expect(await mail()).toEqual([]);

      // Harbour's billing contact answers the reminder by email (Wednesday 10:00 in Sydney, Tuesday 23:00 in Berlin).
      await moveTo(sydney('2026-12-02T10:00'));
      const reminder = (await mail()).find((row) => row.to.includes('mia@harbour.test'))!;
      const replied = await sendMail(env, [
        '--from',
        'mia@harbour.test',
        '--to',
        reminder.email.replyTo![0],
        '--header',
        `Subject: Re: ${reminder.subject}`,
        '--body',
        'We are waiting for the purchase order from our parent company; expect payment mid-December.',
      ]);
      expect(replied.ok, replied.output.slice(-300)).toBe(true);

      // Wednesday 2 December, 10:00 Berlin: the tracking API goes down; Alertmanager tells Steward.
      await moveTo(berlin('2026-12-02T10:00'));
      await postAlert();
      const issue = await eventually(async () => {
        const issues = (await env.client.get('/issues?customerId=nordwind')).body.issues;
        return issues.length ? issues[0] : undefined;
      }, 'the alert opens an issue');
      await env.runtime.tracker.idle();
      await moveTo(berlin('2026-12-02T10:08'));
      await ok('POST', `/issues/${issue.id}/events`, {
        type: 'acknowledge',
        owner: { name: 'Omar Engineer', email: 'omar@provider.test' },
      });
      await moveTo(berlin('2026-12-02T10:15'));
      await ok('POST', `/issues/${issue.id}/events`, {
        type: 'update',
        message: 'A failed deployment of the tracking gateway; we are rolling it back.',
        etr: berlin('2026-12-02T12:00'),
      });
      await moveTo(berlin('2026-12-02T11:35'));
      await postAlert((await am.now()) - 1000);
      await eventually(
        async () => ((await env.client.get(`/issues/${issue.id}`)).body.clearedByMonitoringAt ? true : undefined),
        'cleared',
      );
      await env.runtime.tracker.idle();
      await moveTo(berlin('2026-12-02T11:48'));
      await ok('POST', `/issues/${issue.id}/events`, {
        type: 'resolve',
        rfo: 'A configuration change to the tracking gateway was deployed without its database migration. We rolled it back at 11:30 and now deploy both together.',
      });

      // The second reminder carries the promise link; Mia promises 18 December.
      await moveTo(sydney('2026-12-08T11:00'));
      const why = (await mail()).find((row) => row.to.includes('mia@harbour.test') && row.template === 'dunning-why')!;
      const promiseLink = /promise a payment date \((\S+)\)/.exec(why.email.body.text!)![1];
      const promised = await fetch(promiseLink, {
        method: 'POST',
        body: new URLSearchParams({ invoiceId: 'HA-2001', date: '2026-12-18', reasonCode: 'missing-po' }),
      });
      expect(promised.status).toBe(200);
      await env.runtime.tracker.idle();

      // Finance records Harbour's dispute of HA-2002 after a call, and resolves it a week later with a credit.
      await moveTo(sydney('2026-12-09T10:00'));
      await ok('POST', '/invoices/HA-2002/events', { type: 'dispute', reason: 'Consulting hours billed twice', fault: 'us' });
      // Nordwind pays the oldest invoice the day after the warning.
      await moveTo(berlin('2026-12-15T11:00'));
      await ok('POST', '/payments', { invoiceId: 'NW-1001', amount: 4800, date: '2026-12-15', reference: 'SEPA-NW-1001' });

      await moveTo(sydney('2026-12-16T15:00'));
      await ok('POST', '/invoices/HA-2002/events', {
        type: 'resolve-dispute',
        outcome: 'The hours were billed twice; we credit the whole invoice.',
        fault: 'us',
        credit: 900,
      });

      // Harbour pays before its promised date.
      await moveTo(sydney('2026-12-17T14:00'));
      await ok('POST', '/payments', { invoiceId: 'HA-2001', amount: 7500, date: '2026-12-17', reference: 'EFT-HA-2001' });

      // Monday 28 December: the suspension is proposed; Sam approves by the link at 09:30.
      await moveTo(berlin('2026-12-28T09:30'));
      const proposal = (await mail()).find((row) => row.template === 'dunning-suspension-proposal')!;
      const approve = /Approve: (\S+)/.exec(proposal.email.body.text!)![1];
      expect((await fetch(approve, { method: 'POST' })).status).toBe(200);
      await env.runtime.tracker.idle();

      // Nordwind pays the rest on Wednesday 30 December, 16:00.
      await moveTo(berlin('2026-12-30T16:00'));
      await ok('POST', '/payments', { invoiceId: 'NW-1002', amount: 1200, date: '2026-12-30', reference: 'SEPA-NW-1002' });
      await moveTo(berlin('2026-12-31T12:00'));

      const rows = await mail();
      // Order, time (in the reader's zone), recipients and subject of every email of the month.
      expect(rows.map(line)).toEqual([
        'Tue 01 Dec 09:00 SYD mia: Payment reminder: 1 overdue invoice', // the first contact is the first reminder, at 09:00 Sydney time
        'Tue 01 Dec 09:00 BER petra: Payment reminder: 1 overdue invoice',
        'Wed 02 Dec 00:00 BER sam: Harbour Analytics Pty Ltd replied about their invoices: Re: Payment reminder: 1 overdue invoice',
        'Wed 02 Dec 10:00 BER jonas: [ISS-1001] We are working on: Tracking API down',
        'Wed 02 Dec 10:15 BER jonas: [ISS-1001] Update: Tracking API down',
        'Wed 02 Dec 10:35 BER omar: [ISS-1001] Customer update due at Wed 2 Dec 2026, 10:45 CET: Tracking API down',
        'Wed 02 Dec 10:45 BER jonas: [ISS-1001] Update: Tracking API down',
        'Wed 02 Dec 11:00 BER sam: [ISS-1001] Escalation to you: Tracking API down (Nordwind Logistik GmbH, sev1)',
        'Wed 02 Dec 11:05 BER omar: [ISS-1001] Customer update due at Wed 2 Dec 2026, 11:15 CET: Tracking API down',
        'Wed 02 Dec 11:15 BER jonas: [ISS-1001] Update: Tracking API down',
        'Wed 02 Dec 11:35 BER omar: [ISS-1001] Cleared by monitoring — please confirm and resolve: Tracking API down',
        'Wed 02 Dec 11:35 BER omar: [ISS-1001] Customer update due at Wed 2 Dec 2026, 11:45 CET: Tracking API down',
        'Wed 02 Dec 11:45 BER omar: [ISS-1001] ETR passes at Wed 2 Dec 2026, 12:00 CET: Tracking API down',
        'Wed 02 Dec 11:45 BER jonas: [ISS-1001] Update: Tracking API down',
        'Wed 02 Dec 11:48 BER jonas: [ISS-1001] Resolved: Tracking API down',
        'Fri 04 Dec 11:48 BER jonas: [ISS-1001] Reminder: please review the reason for outage',
        'Mon 07 Dec 09:00 SYD mia: Second reminder: 1 overdue invoice — is something wrong?',
        'Mon 07 Dec 09:00 BER petra: Second reminder: 1 overdue invoice — is something wrong?',
        'Tue 08 Dec 09:00 BER petra: Invoices coming due from Friday 11 December 2026',
        'Wed 09 Dec 00:00 BER sam: Invoice HA-2002 disputed by Harbour Analytics Pty Ltd',
        'Wed 09 Dec 11:48 BER jonas: [ISS-1001] Closed: Tracking API down',
        'Mon 14 Dec 09:00 BER petra: Overdue invoices: service may be suspended on Monday 28 December 2026',
        'Mon 14 Dec 09:00 BER sam: Task: call Nordwind Logistik GmbH about overdue invoices',
        'Wed 16 Dec 15:00 SYD mia: Your dispute of invoice HA-2002 is resolved', // at once: it answers the customer
        'Thu 17 Dec 14:00 SYD mia: Thank you for your payment', // at once, the promise kept
        // Paying the oldest invoice on 15 Dec moved nothing: the final notice, not a second "Second reminder".
        'Mon 21 Dec 09:00 BER petra: Final notice: service suspension on Monday 28 December 2026',
        'Mon 21 Dec 09:00 BER dora: For your information: final notice to Nordwind Logistik GmbH',
        'Mon 28 Dec 09:00 BER sam: Approve suspension of Nordwind Logistik GmbH?',
        'Mon 28 Dec 09:30 BER petra: Service suspended: overdue invoices',
        'Wed 30 Dec 16:00 BER sam: Task: restore the service of Nordwind Logistik GmbH (paid in full)',
        'Wed 30 Dec 16:00 BER petra: Thank you for your payment: service restored',
      ]);

      const contacts = [...nordwind.contacts, ...harbour.contacts];
      const people = [...Object.values(team), { name: 'Omar Engineer', email: 'omar@provider.test' }];
      for (const row of rows) {
        const text = row.email.body.text!;
        // No machine time, no "1 days", no "(s)"; every email greets the person it goes to.
        expect(text, line(row)).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
        expect(`${row.subject}\n${text}`, line(row)).not.toMatch(/\b1 (day|invoice|issue)s\b|\(s\)/);
        const names = [...contacts, ...people].filter((person) => row.to.includes(person.email)).map((person) => person.name);
        expect(text.split('\n')[0], line(row)).toBe(`Hello ${names.join(' and ')},`);
        // Ladder mail reaches the customer on a business day between 09:00 and 11:00 their time.
        const local = DateTime.fromISO(row.at, { zone: row.zone });
        if (/^dunning-(courtesy|reminder|why|warning|final|suspension)$/.test(row.template))
          expect([local.weekday <= 5, local.toFormat('HH:mm') >= '09:00' && local.toFormat('HH:mm') < '11:00'], line(row)).toEqual([
            true,
            true,
          ]);
      }

      const textOf = (template: string) => rows.find((row) => row.template === template)!.email.body.text!;
      const harbourReminder = rows.find((row) => row.template === 'dunning-reminder' && row.to.includes('mia@harbour.test'))!;
      // 15 days in Sydney's calendar (it was still 30 November in UTC).
      expect(harbourReminder.email.body.text).toContain('HA-2001  due 16 Nov 2026  15 days overdue  $7,500.00\n  Total: $7,500.00\n\n');
      expect(textOf('acknowledgement')).toContain('our monitoring detected a problem: "Tracking API down"');
      // One suspension date, in words, in each of the five emails that state it.
      for (const template of [
        'dunning-warning',
        'dunning-notice-call',
        'dunning-final',
        'dunning-notice-inform',
        'dunning-suspension-proposal',
      ])
        expect(textOf(template), template).toContain('Monday 28 December 2026');
      expect(textOf('dunning-final')).not.toContain('NW-1001'); // paid on 15 December
      expect(textOf('dunning-dispute-resolved')).toContain(
        'Outcome: The hours were billed twice; we credit the whole invoice.\nCredit: $900.00',
      );

      // What the people behind the API see at the end of the month.
      const history = (await env.client.get('/customers/harbour')).body.history;
      expect(history.replies).toEqual([
        expect.objectContaining({ from: 'mia@harbour.test', text: expect.stringContaining('purchase order') }),
      ]);
      const invoices = (await env.client.get('/invoices?customerId=harbour')).body.invoices;
      expect(invoices.map((entry: { id: string; status: string }) => `${entry.id} ${entry.status}`)).toEqual([
        'HA-2001 paid',
        'HA-2002 paid',
      ]);
      expect(invoices[0].promise).toMatchObject({ date: '2026-12-18', outcome: 'kept' });
      const ar = (await env.client.get('/kpis/ar')).body;
      expect([ar.currency, Object.keys(ar.byCurrency).sort()]).toEqual([null, ['AUD', 'EUR']]);
      expect((await env.client.get('/customers/nordwind/dunning')).body).toMatchObject({ cycle: 2, suspension: {} });
    }, 600_000);
  },
);
