import { describe, expect, it } from 'vitest';
import { customerEmails } from '../../kernel/email-channel.ts';
import { acme, inbox, useRuntime } from '../support/runtime.ts';

const env = useRuntime();
const sns = (message: unknown) => ({ Records: [{ Sns: { Message: JSON.stringify(message) } }] });

describe('SES feedback as on AWS (configuration set → SNS → ses-feedback; locally the mailbox simulator)', () => {
  it('a bounce and a complaint from the simulator addresses mark those contacts undeliverable and tell the service manager, once', async () => {
    const { client, runtime } = env;
    expect(
      (
        await client.post('/customers', {
          ...acme,
          id: 'sim',
          name: 'Simulated Ltd',
          emailDomains: ['sim.test'],
          contacts: [
            { name: 'Ann Sim', email: 'ann@sim.test', roles: ['technical'] },
            { name: 'Bounce', email: 'bounce@simulator.amazonses.com', roles: ['technical'] },
            { name: 'Complaint', email: 'complaint@simulator.amazonses.com', roles: ['technical'] },
          ],
        })
      ).status,
    ).toBe(201);
    const { id } = (await client.post('/issues', { customerId: 'sim', title: 'Mail test', severity: 'sev3' })).body;
    await runtime.tracker.idle();
    await new Promise((resolve) => setTimeout(resolve, 300)); // SES reports a moment after the send
    await runtime.tracker.idle();

    const contacts = (await client.get('/customers/sim')).body.contacts as { email: string; undeliverable?: { reason: string } }[];
    expect(Object.fromEntries(contacts.map((contact) => [contact.email, contact.undeliverable?.reason]))).toEqual({
      'ann@sim.test': undefined,
      'bounce@simulator.amazonses.com': 'mail to this address bounced',
      'complaint@simulator.amazonses.com': 'the recipient reported our mail as spam',
    });
    const told = (await customerEmails(runtime.store, 'sim')).filter((email) => email.template === 'contact-undeliverable');
    expect(told.map((email) => email.to[0])).toEqual(['sam@provider.test', 'sam@provider.test']);

    // The next customer email goes to the reachable contact only.
    expect((await client.post(`/issues/${id}/events`, { type: 'close' })).status).toBe(202);
    await runtime.tracker.idle();
    const closure = (await inbox(runtime)).find((email) => email.subject.startsWith(`[${id}] Closed`))!;
    expect(closure.destination.to).toEqual(['ann@sim.test']);
  });

  it('ignores a transient bounce, a report about mail Steward did not send, and recipients it was not sent to', async () => {
    const { runtime } = env;
    const outcomes = (await runtime.invoke(
      'ses-feedback',
      sns({
        eventType: 'Bounce',
        mail: { messageId: 'not-ours' },
        bounce: { bounceType: 'Permanent', bouncedRecipients: [{ emailAddress: 'ann@acme.test' }] },
      }),
    )) as { kind: string; reason?: string }[];
    expect(outcomes).toEqual([expect.objectContaining({ kind: 'ignored', reason: 'not an email Steward sent' })]);
    const transient = (await runtime.invoke(
      'ses-feedback',
      sns({
        eventType: 'Bounce',
        mail: { messageId: 'x' },
        bounce: { bounceType: 'Transient', bouncedRecipients: [{ emailAddress: 'ann@acme.test' }] },
      }),
    )) as { kind: string }[];
    expect(transient[0].kind).toBe('ignored');
    const acmeContacts = (await env.client.get('/customers/acme')).body.contacts as { undeliverable?: unknown }[];
    expect(acmeContacts.every((contact) => !contact.undeliverable)).toBe(true);
  });
});
