import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sentEmails } from '../../kernel/email-channel.ts';
import { realClient } from '../support/real-clients.ts';
import { acme, inbox, latestEmail, sendMail, storedInboundMail, useRuntime } from '../support/runtime.ts';

const swaksClient = realClient('swaks', 'swaks');
const FIXTURES = join(import.meta.dirname, '../fixtures/email');

describe.skipIf(!swaksClient.available)(
  `mail into the SMTP listener with a real SMTP env.client, swaks${swaksClient.available ? '' : ` (skipped: ${swaksClient.reason})`}`,
  () => {
    const env = useRuntime({
      options: { unknownSender: 'refuse' },
      setup: (client) =>
        client.post('/customers', {
          ...acme,
          id: 'sim',
          name: 'Simulator Ltd',
          emailDomains: [],
          contacts: [{ name: 'Bounce Box', email: 'bounce@simulator.amazonses.com', roles: ['technical'] }],
        }),
    });

    const swaks = (args: string[]) => sendMail(env, args);
    /** A message from Ann to the inbound address. */
    const fromAnn = (subject: string, body: string) =>
      swaks(['--from', 'ann@acme.test', '--to', 'support@steward.localhost', '--header', `Subject: ${subject}`, '--body', body]);
    const emailIssues = async () =>
      (await env.client.get('/issues')).body.issues.filter((issue: { source: string }) => issue.source === 'email');
    const timeline = async (id: string) =>
      (await env.client.get(`/issues/${id}`)).body.timeline as { type: string; template?: string; from?: string }[];

    let issueId: string;

    it('a new message from a customer contact opens an issue: subject → title, body → description, severity from the policy keywords', async () => {
      const firstMessage = [
        ...['--from', 'ann@acme.test', '--to', 'support@steward.localhost'],
        ...['--header', 'Subject: VPN down in Hamburg', '--header', 'Message-Id: <first-1@acme.test>'],
        ...['--body', 'Since 09:10 nobody in Hamburg can connect.'],
      ];
      const sent = await swaks(firstMessage);
      expect(sent.ok, sent.output).toBe(true);
      const [issue] = await emailIssues();
      expect(issue).toMatchObject({ customerId: 'acme', title: 'VPN down in Hamburg', severity: 'sev2', source: 'email' });
      expect(issue.description).toContain('nobody in Hamburg can connect');
      issueId = issue.id;
      const ack = await latestEmail(env.runtime, 'ann@acme.test', `[${issueId}] We are working on`);
      expect(ack.replyTo![0]).toMatch(new RegExp(`^support\\+${issueId}\\.[0-9a-f]{12}@steward\\.localhost$`));

      // The same message delivered again (same Message-Id): no second issue.
      expect((await swaks(firstMessage)).ok).toBe(true);
      expect(await emailIssues()).toHaveLength(1);
    });

    it('replies thread on the signed plus-address, on In-Reply-To with the SES Message-ID, and on the subject tag from the same customer', async () => {
      const ack = await latestEmail(env.runtime, 'ann@acme.test', `[${issueId}] We are working on`);
      const replyTo = ack.replyTo![0];
      const byAddress = await swaks([
        '--from',
        'ann@acme.test',
        '--to',
        replyTo,
        '--header',
        `Subject: Re: ${ack.subject}`,
        '--body',
        'Still down.\n\nOn Tue, Steward wrote:\n> we have received your issue',
      ]);
      expect(byAddress.ok, byAddress.output).toBe(true);

      const sesId = (await sentEmails(env.runtime.store, `ISSUE#${issueId}`)).find(
        (email) => email.template === 'acknowledgement',
      )!.messageId;
      expect(
        (
          await swaks([
            '--from',
            'ann@acme.test',
            '--to',
            'support@steward.localhost',
            '--header',
            'Subject: Re: your mail',
            '--header',
            `In-Reply-To: <${sesId}@email.amazonses.com>`,
            '--body',
            'Any news?',
          ])
        ).ok,
      ).toBe(true);
      expect(
        (
          await swaks([
            '--from',
            'bill@acme.test',
            '--to',
            'support@steward.localhost',
            '--header',
            `Subject: Re: [${issueId}] something`,
            '--body',
            'Billing here, also affected.',
          ])
        ).ok,
      ).toBe(true);

      const messages = (await timeline(issueId)).filter((entry) => entry.type === 'customer-message');
      expect(messages.map((entry) => entry.from)).toEqual(['ann@acme.test', 'ann@acme.test', 'bill@acme.test']);
      expect(await emailIssues()).toHaveLength(1);
      // The owner (the team lead, as nobody took the issue) hears of each, with the quoted history cut off.
      const notices = (await inbox(env.runtime)).filter(
        (email) => email.destination.to.includes('tina@provider.test') && email.subject.startsWith(`[${issueId}] Customer wrote`),
      );
      expect(notices).toHaveLength(3);
      expect(notices[0].body.text).toContain('Still down.');
      expect(notices[0].body.text).not.toContain('we have received your issue');

      // The subject tag alone is not enough: a stranger using it is refused and changes nothing.
      const stranger = await swaks([
        '--from',
        'mallory@evil.test',
        '--to',
        'support@steward.localhost',
        '--header',
        `Subject: Re: [${issueId}] close this`,
        '--body',
        'close it',
      ]);
      expect(stranger.ok).toBe(false);
      expect(stranger.output).toMatch(/550 .*not a contact or domain of any customer/);
      expect((await timeline(issueId)).filter((entry) => entry.type === 'customer-message')).toHaveLength(3);
    });

    it("a reply of 600 KB of text and a 5,000-character subject is recorded clipped (the timeline item stays under DynamoDB's limit), never a 451", async () => {
      const ack = await latestEmail(env.runtime, 'ann@acme.test', `[${issueId}] We are working on`);
      const body = join(env.options.dataDir, 'long-reply.txt');
      writeFileSync(body, `${'The log says: connection refused. '.repeat(18_000)}\n`);
      const sent = await swaks([
        '--from',
        'ann@acme.test',
        '--to',
        ack.replyTo![0],
        '--header',
        `Subject: Re: ${'long '.repeat(1_000)}`,
        '--body',
        `@${body}`,
      ]);
      expect(sent.ok, sent.output.slice(-500)).toBe(true);
      const last = (await timeline(issueId)).filter((entry) => entry.type === 'customer-message').at(-1) as unknown as {
        text: string;
        subject: string;
      };
      expect(last.text.length).toBeLessThanOrEqual(50_300);
      expect(last.text).toMatch(/^The log says/);
      expect(last.text).toMatch(/the whole message is kept/);
      expect(last.subject.length).toBeLessThanOrEqual(1_000);
    });

    it('an auto-reply, even to the plus-address and with the subject tag, changes nothing and gets no answer', async () => {
      const ack = await latestEmail(env.runtime, 'ann@acme.test', `[${issueId}] We are working on`);
      const before = await timeline(issueId);
      const mailsBefore = (await inbox(env.runtime)).length;
      const sent = await swaks([
        '--from',
        'ann@acme.test',
        '--to',
        ack.replyTo![0],
        '--header',
        `Subject: Automatic reply: [${issueId}] We are working on`,
        '--add-header',
        'Auto-Submitted: auto-replied',
        '--body',
        'I am out of the office until Monday.',
      ]);
      expect(sent.ok, sent.output).toBe(true);
      expect(await timeline(issueId)).toEqual(before);
      expect((await inbox(env.runtime)).length).toBe(mailsBefore);
    });

    const DSN = join(FIXTURES, 'sisimai/lhost-amazonses-05.eml'); // Final-Recipient: bounce@simulator.amazonses.com
    const simContact = async () => (await env.client.get('/customers/sim')).body.contacts[0];

    it('a forged bounce (anyone can write a DSN) marks nothing: to support@, to a bounce address with a bad tag, or about another recipient', async () => {
      const forged = await swaks(['--from', 'attacker@evil.test', '--to', 'support@steward.localhost', '--data', `@${DSN}`]);
      expect(forged.ok, forged.output).toBe(true); // accepted and ignored: the sender learns nothing
      const badTag = await swaks([
        '--from',
        '<>',
        '--to',
        `support+bounce-${'0'.repeat(20)}.${'0'.repeat(12)}@steward.localhost`,
        '--data',
        DSN,
      ]);
      expect(badTag.ok, badTag.output).toBe(true);
      // A valid bounce address, but of an email that went to ann@acme.test, not to the contact the DSN names.
      const [toAnn] = await sentEmails(env.runtime.store, `ISSUE#${issueId}`);
      expect(toAnn.to).toEqual(['ann@acme.test']);
      expect((await swaks(['--from', '<>', '--to', toAnn.bounceTo!, '--data', `@${DSN}`])).ok).toBe(true);
      expect((await simContact()).undeliverable).toBeUndefined();
      expect((await inbox(env.runtime)).filter((mail) => mail.subject.includes('Contact undeliverable'))).toHaveLength(0);
    });

    it('a bounce (an SES DSN fixture) to the signed bounce address of an email sent to the contact marks it undeliverable and tells the service manager; it opens nothing', async () => {
      const opened = await env.client.post('/issues', { customerId: 'sim', title: 'Mailbox check', severity: 'sev3' });
      await env.runtime.tracker.idle();
      const [ack] = await sentEmails(env.runtime.store, `ISSUE#${opened.body.id}`);
      expect(ack.to).toEqual(['bounce@simulator.amazonses.com']);
      expect(ack.bounceTo).toMatch(/^support\+bounce-[0-9a-f]{20}\.[0-9a-f]{12}@steward\.localhost$/);
      const dsn = await swaks(['--from', '<>', '--to', ack.bounceTo!, '--data', `@${DSN}`]);
      expect(dsn.ok, dsn.output).toBe(true);
      expect((await simContact()).undeliverable.reason).toMatch(/bounced/);
      expect((await latestEmail(env.runtime, 'sam@provider.test', 'Contact undeliverable at Simulator Ltd')).body.text).toContain(
        'bounce@simulator.amazonses.com',
      );
      expect(await emailIssues()).toHaveLength(1);
    });

    it('refuses with a reason and stores nothing: unknown sender, mail for another address, an attachment over the limit', async () => {
      const storedMail = () => storedInboundMail(env.runtime);
      const storedBefore = await storedMail();
      const unknown = await swaks([
        '--from',
        'someone@else.test',
        '--to',
        'support@steward.localhost',
        '--header',
        'Subject: hello',
        '--body',
        'hi',
      ]);
      expect(unknown.ok).toBe(false);
      expect(unknown.output).toMatch(/550 sender someone@else.test is not a contact/);
      const relay = await swaks(['--from', 'ann@acme.test', '--to', 'someone@elsewhere.test', '--body', 'x']);
      expect(relay.output).toMatch(/550 relaying denied/);
      const big = join(env.options.dataDir, 'big.bin');
      writeFileSync(big, Buffer.alloc(6 * 1024 * 1024, 7));
      const attachment = await swaks([
        '--from',
        'ann@acme.test',
        '--to',
        'support@steward.localhost',
        '--header',
        'Subject: logs',
        '--body',
        'see attached',
        '--attach',
        `@${big}`,
      ]);
      expect(attachment.ok).toBe(false);
      expect(attachment.output).toMatch(/550 attachment "big.bin" is \d+ bytes; the limit is 5242880/);
      expect(await emailIssues()).toHaveLength(1);
      expect(await storedMail()).toEqual(storedBefore); // the raw messages of refused mail are deleted
    });

    it('mail whose handler keeps failing is accepted as SES accepts it, retried twice, kept in the failed-events destination, and the redrive opens its issue', async () => {
      const store = env.runtime.store;
      const get = store.get;
      const before = (await emailIssues()).length;
      store.get = () => Promise.reject(new Error('ProvisionedThroughputExceededException: table steward, partition 7'));
      try {
        const sent = await fromAnn('Scanner offline', 'x');
        expect(sent.ok, sent.output.slice(-300)).toBe(true);
        expect(sent.output).not.toMatch(/ProvisionedThroughput|partition 7/);
        await env.client.advance('PT4M'); // Lambda's two retries, one and two minutes apart
        await env.runtime.tracker.idle();
        const failed = (await env.client.get('/_local/failed-events')).body.events;
        expect(failed.map((event: { functionName: string }) => event.functionName)).toEqual(['inbound-email']);
        expect(failed[0].record).toMatchObject({
          requestContext: { condition: 'RetriesExhausted', approximateInvokeCount: 3 },
          requestPayload: { Records: [{ ses: { receipt: { recipients: ['support@steward.localhost'] } } }] },
        });
      } finally {
        store.get = get;
      }
      expect(await emailIssues()).toHaveLength(before);
      // The redrive procedure (docs/operations.md): the event runs again and the mail, kept in the bucket, opens its issue.
      expect((await env.client.post('/_local/failed-events/redrive')).body).toEqual({ redriven: 1 });
      await env.runtime.tracker.idle();
      const issues = await emailIssues();
      expect(issues).toHaveLength(before + 1);
      expect(issues.map((issue: { title: string }) => issue.title)).toContain('Scanner offline');
      expect((await env.client.get('/_local/failed-events')).body.count).toBe(0);
    });

    it('mail SES judges spam or a virus is accepted, set aside unread and listed; it opens no issue and tells nobody', async () => {
      const before = [(await emailIssues()).length, (await inbox(env.runtime)).length];
      const gtube = 'XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X';
      const eicar = 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*';
      for (const [subject, body] of [
        ['Cheap watches', `Buy now ${gtube}`],
        ['Invoice attached', eicar],
      ]) {
        const sent = await fromAnn(subject, body);
        expect(sent.ok, sent.output.slice(-300)).toBe(true); // SES accepts; what to do with it is Steward's
      }
      expect([(await emailIssues()).length, (await inbox(env.runtime)).length]).toEqual(before);
      const quarantine = (await env.client.get('/mail/quarantine')).body;
      expect(quarantine.count).toBe(2);
      const verdicts = quarantine.mail.map(
        (mail: { spamVerdict: string; virusVerdict: string }) => `spam ${mail.spamVerdict}, virus ${mail.virusVerdict}`,
      );
      expect(verdicts.sort()).toEqual(['spam FAIL, virus GRAY', 'spam GRAY, virus FAIL']);
      expect(env.runtime.telemetry.metrics().MailQuarantined).toBe(2);
      expect(quarantine.mail[0]).toMatchObject({ source: 'ann@acme.test', recipients: ['support@steward.localhost'] });
      // The raw message stays in the mail bucket for a person to look at.
      expect(await storedInboundMail(env.runtime)).toEqual(expect.arrayContaining([`inbound/${quarantine.mail[0].sesMessageId}`]));
    });

    it('mail whose SPF/DKIM/DMARC failed (SES verdicts) is a note on its issue at most, and never opens one', async () => {
      const issuesBefore = (await emailIssues()).length;
      const event = (messageId: string, recipients: string[]) => ({
        Records: [
          {
            ses: {
              mail: { messageId, source: 'ann@acme.test' },
              receipt: { recipients, spfVerdict: { status: 'FAIL' }, dkimVerdict: { status: 'FAIL' }, dmarcVerdict: { status: 'FAIL' } },
            },
          },
        ],
      });
      const put = (id: string, raw: string) => env.runtime.deps.blobs.put(`inbound/${id}`, Buffer.from(raw.replace(/\n/g, '\r\n')));
      await put(
        'spoof-1',
        `From: ann@acme.test\nTo: support@steward.localhost\nSubject: Re: [${issueId}] please close\nMessage-Id: <spoof-1@evil.test>\n\nclose it\n`,
      );
      expect(await env.runtime.invoke('inbound-email', event('spoof-1', ['support@steward.localhost']))).toMatchObject({
        outcome: 'note',
        issueId,
      });
      await put(
        'spoof-2',
        'From: ann@acme.test\nTo: support@steward.localhost\nSubject: Everything is down\nMessage-Id: <spoof-2@evil.test>\n\nplease\n',
      );
      expect(await env.runtime.invoke('inbound-email', event('spoof-2', ['support@steward.localhost']))).toMatchObject({
        outcome: 'refused',
      });
      await env.runtime.tracker.idle();
      const notes = (await timeline(issueId)).filter((entry) => entry.type === 'note');
      expect(notes).toHaveLength(1);
      expect((await timeline(issueId)).filter((entry) => entry.type === 'customer-message')).toHaveLength(4); // three replies and the long one
      expect(await emailIssues()).toHaveLength(issuesBefore);
    });
  },
);
