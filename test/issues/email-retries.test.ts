import { describe, expect, it } from 'vitest';
import { sendOnce } from '../../kernel/email-channel.ts';
import { DeliveryInFlight } from '../../kernel/outbox.ts';
import { inbox, useRuntime } from '../support/runtime.ts';

const env = useRuntime();

describe('an email is never skipped', () => {
  it('SES throttling on the first try: the acknowledgement still goes out, once', async () => {
    const mailer = env.runtime.mailer;
    const send = mailer.send;
    let calls = 0;
    mailer.send = async (email) => {
      calls++;
      if (calls === 1) throw Object.assign(new Error('Maximum sending rate exceeded.'), { name: 'TooManyRequestsException' });
      return send.call(mailer, email);
    };
    try {
      const opened = await env.client.post('/issues', { customerId: 'acme', title: 'Throttled', severity: 'sev3' });
      await env.runtime.tracker.idle();
      const acks = (await inbox(env.runtime)).filter((mail) => mail.subject.startsWith(`[${opened.body.id}] We are working on`));
      expect(acks).toHaveLength(1);
      expect(calls).toBeGreaterThanOrEqual(2);
    } finally {
      mailer.send = send;
    }
  });

  it('a claim another attempt may still be sending is retried, not skipped; after its lease it is sent', async () => {
    const deps = env.runtime.deps;
    const owner = { pk: 'CUSTOMER#acme', customerId: 'acme' };
    await deps.store.put({
      pk: owner.pk,
      sk: 'EMAIL#in-flight',
      itemType: 'email',
      key: 'in-flight',
      claimedAt: deps.clock.now().toISOString(),
    });
    const build = () => ({ from: 'steward@steward.localhost', to: ['ann@acme.test'], subject: 'In flight', text: 'x', html: '<p>x</p>' });
    await expect(sendOnce(deps, owner, 'in-flight', 'test', build)).rejects.toBeInstanceOf(DeliveryInFlight);
    await env.client.advance('PT3M');
    expect((await sendOnce(deps, owner, 'in-flight', 'test', build)).sent).toBe(true);
    expect((await sendOnce(deps, owner, 'in-flight', 'test', build)).sent).toBe(false);
    expect((await inbox(env.runtime)).filter((mail) => mail.subject === 'In flight')).toHaveLength(1);
  });

  it('a step that finds its email in flight waits and tries again: no function error, no failed run, the email sent once', async () => {
    const opened = await env.client.post('/issues', { customerId: 'acme', title: 'Raced update', severity: 'sev3' });
    const id = opened.body.id as string;
    await env.runtime.tracker.idle();
    // Another attempt holds the claim of every update email this issue could send next.
    const now = env.runtime.clock.now().toISOString();
    for (let seq = 1; seq <= 20; seq++)
      await env.runtime.store.put({
        pk: `ISSUE#${id}`,
        sk: `EMAIL#status-update-${seq}`,
        itemType: 'email',
        key: `status-update-${seq}`,
        claimedAt: now,
        leaseFrom: Date.now(),
      });
    const errorsBefore = (await env.client.get('/health')).body.components.functions.errors['issue-step'] ?? {};
    await env.client.post(`/issues/${id}/events`, { type: 'update', message: 'Still on it: the spare is on its way.' });
    await env.runtime.tracker.idle();
    const updates = async () =>
      (await inbox(env.runtime)).filter(
        (mail) => mail.subject.startsWith(`[${id}]`) && mail.body.text?.includes('the spare is on its way'),
      );
    expect(await updates()).toHaveLength(0);
    const health = (await env.client.get('/health')).body.components.functions;
    expect(health.errors['issue-step'] ?? {}).toEqual(errorsBefore);
    const run = await env.runtime.engine.list('issue-lifecycle');
    expect(run.filter((record) => record.name.startsWith(`issue-${id}-`) && record.status !== 'RUNNING')).toEqual([]);
    await env.client.advance('PT2M'); // the other attempt's lease is over
    expect(await updates()).toHaveLength(1);
    expect((await env.client.get('/health')).body.components.functions.errors['issue-step'] ?? {}).toEqual(errorsBefore);
  });
});
