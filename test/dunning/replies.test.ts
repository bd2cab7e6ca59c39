import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { customerEmails } from '../../kernel/email-channel.ts';
import { realClient } from '../support/real-clients.ts';
import { acme, inbox, invoiceInput, sendMail, useRuntime } from '../support/runtime.ts';

const swaksClient = realClient('swaks', 'swaks');

describe.skipIf(!swaksClient.available)(
  `replies to dunning emails reach the AR history and the service manager${swaksClient.available ? '' : ` (skipped: ${swaksClient.reason})`}`,
  () => {
    const env = useRuntime({
      clockStart: '2026-11-26T08:00:00Z', // Thursday 09:00 in Berlin
      setup: async (client) => {
        await client.post('/customers', {
          ...acme,
          id: 'rep',
          name: 'Reply GmbH',
          emailDomains: [],
          contacts: [{ name: 'Payer', email: 'pay@rep.test', roles: ['billing'] }],
        });
        await client.post('/invoices', invoiceInput('R-1', 'rep', '2026-11-30', 250));
      },
    });
    const berlin = (iso: string) => DateTime.fromISO(iso, { zone: 'Europe/Berlin' }).toUTC().toISO()!;
    const swaks = (to: string, messageId: string, extra: string[] = []) =>
      sendMail(env, [
        '--from',
        'pay@rep.test',
        '--to',
        to,
        '--header',
        'Subject: Re: Payment reminder',
        '--header',
        `Message-Id: ${messageId}`,
        ...extra,
        '--body',
        'We paid R-1 yesterday, reference 4711.\n\nOn Tue, Steward wrote:\n> Payment reminder',
      ]);
    const notices = async () =>
      (await inbox(env.runtime)).filter(
        (email) =>
          email.destination.to.includes('sam@provider.test') && email.subject.startsWith('Reply GmbH replied about their invoices'),
      );

    it('a reply to the reminder is kept on the customer and sent to the service manager, once even when delivered twice', async () => {
      await env.client.moveTo(berlin('2026-12-01T12:00'));
      const reminder = (await customerEmails(env.runtime.store, 'rep')).find((email) => email.template === 'dunning-reminder')!;
      const delivered = (await inbox(env.runtime)).find((email) => email.messageId === reminder.messageId)!;
      const replyTo = delivered.replyTo![0];
      expect(replyTo).toMatch(/^support\+re-[0-9a-f]{20}\.[0-9a-f]{12}@steward\.localhost$/);

      const sent = await swaks(replyTo, '<paid-1@rep.test>');
      expect(sent.ok, sent.output.slice(-300)).toBe(true);
      expect((await swaks(replyTo, '<paid-1@rep.test>')).ok).toBe(true);

      const replies = (await env.client.get('/customers/rep')).body.history.replies;
      expect(replies).toEqual([
        expect.objectContaining({
          from: 'pay@rep.test',
          subject: 'Re: Payment reminder',
          text: 'We paid R-1 yesterday, reference 4711.',
          answers: reminder.key,
        }),
      ]);
      const told = await notices();
      expect(told).toHaveLength(1);
      expect(told[0].body.text).toContain('We paid R-1 yesterday, reference 4711.');
      expect((await env.client.get('/issues')).body.issues.filter((issue: { customerId: string }) => issue.customerId === 'rep')).toEqual(
        [],
      );
    });

    it('a reply to support@ that quotes the reminder (In-Reply-To) lands the same way; a forged reply address is no reply to a reminder', async () => {
      const reminder = (await customerEmails(env.runtime.store, 'rep')).find((email) => email.template === 'dunning-reminder')!;
      const quoted = await swaks('support@steward.localhost', '<paid-2@rep.test>', [
        '--header',
        `In-Reply-To: <${reminder.messageId}@email.amazonses.com>`,
      ]);
      expect(quoted.ok, quoted.output.slice(-300)).toBe(true);
      expect((await env.client.get('/customers/rep')).body.history.replies).toHaveLength(2);
      expect(await notices()).toHaveLength(2);

      const forged = await swaks(`support+re-${'0'.repeat(20)}.${'0'.repeat(12)}@steward.localhost`, '<forged@rep.test>');
      // Not a reply Steward can place: from a known contact it opens an issue, as any new message does.
      expect(forged.ok).toBe(true);
      expect((await env.client.get('/customers/rep')).body.history.replies).toHaveLength(2);
    });
  },
);
