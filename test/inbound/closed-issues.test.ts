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
      // The owner (nobody acknowledged, so the team lead) hears the question, the customer gets a short
      // receipt with the reply-by time (4 business hours: Thursday 14:00 in Berlin), and when that
      // passes unanswered the owner is nudged.
      const since = (await inbox(env.runtime)).slice(mailsBefore);
      expect(since.map((email) => `${email.destination.to.join(',')} ${email.subject}`)).toEqual([
        `tina@provider.test [${id}] Customer wrote: Re: [${id}] Closed: Printer queue stuck`,
        `ann@acme.test [${id}] We have your message: Printer queue stuck`,
        `tina@provider.test [${id}] ACME Corp is waiting for an answer: Printer queue stuck`,
      ]);
      expect(since[0].body.text).toContain("will next week's maintenance cause downtime?");
      expect(since[1].body.text).toContain(
        `thank you for your message about issue ${id} "Printer queue stuck". We will answer you by Thu 5 Nov 2026, 14:00 CET at the latest.`,
      );
      expect(since[1].body.text).not.toMatch(/ETR|estimated time|escalate/i);
      expect(since[2].body.text).toContain('it was due by Thu 5 Nov 2026, 14:00 CET');
      expect(since[2].body.text).toContain('Answer them now (Reply, on the issue in the console)');
      expect(after.awaitingReply).toMatchObject({ replyBy: '2026-11-05T13:00:00.000Z' });

      // As long again (Friday 10:00) and still unanswered: the team lead is told; then an answer goes to the customer and ends it.
      await env.client.moveTo('2026-11-06T09:30:00Z');
      const late = (await inbox(env.runtime)).slice(mailsBefore + 3);
      expect(late.map((email) => `${email.destination.to.join(',')} ${email.subject}`)).toEqual([
        `tina@provider.test [${id}] ACME Corp is waiting for an answer: Printer queue stuck`,
      ]);
      const answer = "No: next week's maintenance is on the backup path only.";
      expect((await env.client.post(`/issues/${id}/events`, { type: 'reply', message: answer })).status).toBe(202);
      await env.runtime.tracker.idle();
      const answered = (await inbox(env.runtime)).slice(mailsBefore + 4);
      expect(answered.map((email) => `${email.destination.to.join(',')} ${email.subject}`)).toEqual([
        `ann@acme.test [${id}] Re: Printer queue stuck`,
      ]);
      expect(answered[0].body.text).toContain(answer);
      expect(answered[0].replyTo?.[0]).toMatch(new RegExp(`^support\\+${id}\\.`));
      const closed = await issue(id);
      expect([closed.status, closed.awaitingReply]).toEqual(['closed', undefined]);
      await env.client.advance('P2D');
      expect((await inbox(env.runtime)).length).toBe(mailsBefore + 5);
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
