import { createTransport } from 'nodemailer';
import { describe, expect, it } from 'vitest';
import { storedInboundMail, useRuntime } from '../support/runtime.ts';

const env = useRuntime();

describe('a message that cannot be filed where it belongs', () => {
  it('opens an issue of its own with what could be read, keeps the original, and leaves nothing only in the failed events', async () => {
    const { id } = (await env.client.post('/issues', { customerId: 'acme', title: 'Slow backups', severity: 'sev3' })).body;
    await env.runtime.tracker.idle();
    // The issue the reply belongs to holds data the reply cannot go with (a policy without its email rules, as a
    // hand-edited or half-migrated item would): recording the message fails, and no retry would change that.
    await env.runtime.store.update({
      Key: { pk: `ISSUE#${id}`, sk: 'META' },
      UpdateExpression: 'SET #policy.#email = :none',
      ExpressionAttributeNames: { '#policy': 'policy', '#email': 'email' },
      ExpressionAttributeValues: { ':none': null },
    });
    const transport = createTransport({ host: '127.0.0.1', port: env.options.smtpPort, secure: false, ignoreTLS: true });
    const raw = [
      'From: Ann <ann@acme.test>',
      'To: support@steward.localhost',
      `Subject: Re: [${id}] We are working on: Slow backups`,
      'Message-ID: <unfileable-1@acme.test>',
      '',
      'The backup of the file server took nine hours last night.',
    ].join('\r\n');
    await transport.sendMail({ envelope: { from: 'ann@acme.test', to: ['support@steward.localhost'] }, raw });
    transport.close();
    await env.runtime.tracker.idle();
    await env.client.advance('PT4M'); // past Lambda's retries, had the message failed
    await env.runtime.tracker.idle();

    expect((await env.client.get('/_local/failed-events')).body.count).toBe(0);
    const issues = (await env.client.get('/issues?customerId=acme')).body.issues as { id: string; title: string; description: string }[];
    const opened = issues.filter((issue) => issue.title.startsWith('Email from ann@acme.test that could not be filed'));
    expect(opened).toHaveLength(1);
    expect(opened[0].title).toBe('Email from ann@acme.test that could not be filed: Slow backups');
    expect(opened[0].description).toContain('The backup of the file server took nine hours last night.');
    expect(opened[0].description).toMatch(/the whole message is kept in the mail bucket as inbound\//);
    expect((await storedInboundMail(env.runtime)).length).toBeGreaterThan(0);
  });
});
