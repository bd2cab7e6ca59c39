import { describe, expect, it } from 'vitest';
import { realClient } from '../support/real-clients.ts';
import { inbox, latestEmail, sendMail, useRuntime } from '../support/runtime.ts';

const swaksClient = realClient('swaks', 'swaks');

describe.skipIf(!swaksClient.available)(
  `mail to a closed issue is never lost${swaksClient.available ? '' : ` (skipped: ${swaksClient.reason})`}`,
  () => {
    // Monday 2 November 2026, 09:00 in Berlin.
    const env = useRuntime();

    const swaks = (to: string, subject: string, body: string, messageId?: string) =>
      sendMail(env, [
        '--from',
        'ann@acme.test',
        '--to',
        to,
        '--header',
        `Subject: ${subject}`,
        ...(messageId ? ['--header', `Message-Id: ${messageId}`] : []),
        '--body',
        body,
      ]);
    const issue = async (id: string) => (await env.client.get(`/issues/${id}`)).body;
    const replyAddress = async (id: string) => (await latestEmail(env.runtime, 'ann@acme.test', `[${id}]`)).replyTo![0];

    let id: string;

    it('within the policy window (10 business days) a reply reopens the issue: the customer is told, the owner hears the message', async () => {
      id = (await env.client.post('/issues', { customerId: 'acme', title: 'Printer queue stuck', severity: 'sev3' })).body.id;
      await env.runtime.tracker.idle();
      expect((await env.client.post(`/issues/${id}/events`, { type: 'close' })).status).toBe(202);
      await env.client.moveTo('2026-11-04T09:00:00Z');
      const sent = await swaks(await replyAddress(id), `Re: [${id}] Closed: Printer queue stuck`, 'It is down again since this morning.');
      expect(sent.ok, sent.output.slice(-300)).toBe(true);

      const reopened = await issue(id);
      expect([reopened.status, reopened.reopenCount, reopened.generation]).toEqual(['open', 1, 2]);
      const events = reopened.timeline.map((entry: { type: string }) => entry.type).filter((type: string) => type !== 'email');
      expect(events.slice(-3)).toEqual(['close', 'reopen', 'customer-message']);
      const toCustomer = (await inbox(env.runtime)).filter((email) => email.destination.to.includes('ann@acme.test'));
      expect(toCustomer.at(-1)!.body.text).toContain(`we have reopened issue ${id} "Printer queue stuck"`);
      const toOwner = await latestEmail(env.runtime, 'tina@provider.test', `[${id}] Customer wrote`);
      expect(toOwner.body.text).toContain('It is down again since this morning.');
    });

    it('a polite question after closure is a conversation: the owner gets it, nothing restarts, nobody is escalated to', async () => {
      expect((await env.client.post(`/issues/${id}/events`, { type: 'close' })).status).toBe(202);
      await env.client.advance('P1D');
      const before = await issue(id);
      const mailsBefore = (await inbox(env.runtime)).length;
      const sent = await swaks(
        await replyAddress(id),
        `Re: [${id}] Closed: Printer queue stuck`,
        "Thank you. One question: will next week's maintenance cause downtime?",
      );
      expect(sent.ok, sent.output.slice(-300)).toBe(true);
      await env.client.advance('PT6H'); // long past any acknowledgement deadline or rung of a reopened issue
      const after = await issue(id);
      expect([after.status, after.reopenCount, after.etr ?? undefined]).toEqual(['closed', before.reopenCount, undefined]);
      expect(after.timeline.filter((entry: { type: string }) => entry.type === 'customer-message')).toHaveLength(2);
      const since = (await inbox(env.runtime)).slice(mailsBefore);
      expect(since.map((email) => `${email.destination.to.join(',')} ${email.subject}`)).toEqual([
        `tina@provider.test [${id}] Customer wrote: Re: [${id}] Closed: Printer queue stuck`,
      ]);
      expect(since[0].body.text).toContain("will next week's maintenance cause downtime?");
    });

    it('after the window a reply opens a new issue that follows the closed one, acknowledged as new; a redelivery opens nothing more', async () => {
      expect((await issue(id)).status).toBe('closed'); // by the test before
      await env.client.moveTo('2026-11-25T09:00:00Z'); // 15 business days later
      const before = (await env.client.get('/issues')).body.issues.length;
      const messageId = '<down-again-2@acme.test>';
      const sent = await swaks(await replyAddress(id), `Re: [${id}] Closed: Printer queue stuck`, 'Same problem, third time.', messageId);
      expect(sent.ok, sent.output.slice(-300)).toBe(true);
      expect((await issue(id)).status).toBe('closed');

      const issues = (await env.client.get('/issues')).body.issues;
      expect(issues).toHaveLength(before + 1);
      const follow = await issue(issues[0].id);
      expect(follow.origin.follows).toBe(id);
      expect(follow.title).toBe('Printer queue stuck'); // not "Re: [ISS-…] Closed: Printer queue stuck"
      expect(follow.description).toMatch(new RegExp(`^Follows up on ${id} "Printer queue stuck", closed `));
      expect((await latestEmail(env.runtime, 'ann@acme.test', `[${follow.id}] We are working on`)).body.text).toContain(
        'we have received your issue',
      );
      expect((await issue(id)).timeline.at(-1)).toMatchObject({
        type: 'note',
        message: `The customer wrote again; followed up by ${follow.id}.`,
      });

      expect((await swaks(await replyAddress(id), 'Re: again', 'Same problem, third time.', messageId)).ok).toBe(true);
      expect((await env.client.get('/issues')).body.issues).toHaveLength(before + 1);
    });
  },
);
