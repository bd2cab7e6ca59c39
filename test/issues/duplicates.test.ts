import { afterAll, describe, expect, it } from 'vitest';
import type { Runtime, RuntimeOptions } from '../../infra/local/runtime.ts';
import { acme, api, inbox, latestEmail, linkIn, removeDataDir, startRuntime, submitLink, testOptions } from '../support/runtime.ts';

let options: RuntimeOptions;
let runtime: Runtime;

afterAll(async () => {
  await runtime?.stop();
  if (options) removeDataDir(options);
});

/**
 * Every event of a sev1's life delivered twice, every workflow step run an extra time, the runtime
 * crashed and restarted in the middle: the customer and the staff still get each message once.
 */
describe('duplicate delivery and a restart mid-scenario', () => {
  it('sends exactly one email per message', async () => {
    options = await testOptions();
    runtime = await startRuntime(options);
    let client = api(runtime);
    const settle = () => runtime.tracker.idle();
    const twice = async (id: string, body: Record<string, unknown>) => {
      const [first, second] = [await client.post(`/issues/${id}/events`, body), await client.post(`/issues/${id}/events`, body)];
      await settle();
      return [first.status, second.status];
    };
    const linkTwice = async (url: string, comment?: string) => {
      const statuses = [(await submitLink(url, comment)).status, (await submitLink(url, comment)).status];
      await settle();
      return statuses;
    };
    const stepAgain = async (id: string) => {
      await Promise.all([
        runtime.invoke('issue-step', { issueId: id, generation: 1 }),
        runtime.invoke('issue-step', { issueId: id, generation: 1 }),
      ]);
    };

    await client.post('/customers', acme);
    const { id } = (
      await client.post('/issues', {
        customerId: 'acme',
        title: 'Core down',
        severity: 'sev1',
        owner: { name: 'Otto Owner', email: 'otto@provider.test' },
      })
    ).body;
    await settle();
    await stepAgain(id);

    expect(await twice(id, { type: 'acknowledge', eventId: 'ack-1' })).toEqual([202, 200]);
    const now = Date.parse((await client.get('/_local/clock')).body.now);
    const etr = new Date(now + 40 * 60_000).toISOString();
    expect(await twice(id, { type: 'update', message: 'Line card replaced, testing.', etr, eventId: 'upd-1' })).toEqual([202, 200]);
    await stepAgain(id);
    await client.advance('PT26M'); // nudge (due at +30 min) and ETR warning (at +25 min)

    await runtime.crash();
    // Same ports as before (links in the emails sent so far point at the API's address).
    runtime = await startRuntime(options);
    client = api(runtime);
    await settle();
    await stepAgain(id);

    await client.advance('PT15M'); // holding update at +30 min, ETR passed at +40 min: customer notice and one level up
    await stepAgain(id);
    const escalate = linkIn((await latestEmail(runtime, 'ann@acme.test', `[${id}] We are working on`)).body.text, 'escalate');
    expect(await linkTwice(escalate, 'Please hurry')).toEqual([200, 409]);

    expect(await twice(id, { type: 'resolve', rfo: 'A line card failed.', eventId: 'res-1' })).toEqual([202, 200]);
    await stepAgain(id);
    const resolution = await latestEmail(runtime, 'ann@acme.test', `[${id}] Resolved`);
    expect(await linkTwice(linkIn(resolution.body.text, 'dispute'), 'Which line card?')).toEqual([200, 409]);
    expect(await twice(id, { type: 'revise-rfo', rfo: 'Line card 3 of core-1 failed.', eventId: 'rev-1' })).toEqual([202, 200]);
    const revised = await latestEmail(runtime, 'ann@acme.test', `[${id}] Revised reason for outage`);
    expect(await linkTwice(linkIn(revised.body.text, 'accept'))).toEqual([200, 409]);
    await stepAgain(id);
    expect((await client.get(`/issues/${id}`)).body.status).toBe('closed');

    // The SES emulator's inbox lives in module state, so it holds the mail of both runtimes.
    const mail = (await inbox(runtime)).filter((email) => email.subject.startsWith(`[${id}]`));
    const fingerprints = mail.map((email) => `${email.destination.to.join(',')} | ${email.subject} | ${email.body.text}`);
    expect(new Set(fingerprints).size).toBe(fingerprints.length);
    const count = (subject: string) => mail.filter((email) => email.subject.includes(subject)).length;
    expect(count('We are working on')).toBe(1);
    expect(mail.filter((email) => email.subject.includes('] Update:') && email.body.text?.includes('Line card replaced'))).toHaveLength(1);
    expect(count('] Update:')).toBe(2); // the person's update and one holding update at +30 min
    expect(count('Customer update due')).toBe(1);
    expect(count('ETR passes at')).toBe(1);
    expect(count('Estimated time of repair under review')).toBe(1);
    expect(count('] Escalated:')).toBe(1);
    expect(count('RFO disputed')).toBe(1);
    expect(count('] Resolved:')).toBe(1); // the first RFO
    expect(count('] Revised reason for outage:')).toBe(1);
    expect(count('] Closed:')).toBe(1);
    expect(
      mail
        .filter((email) => email.subject.includes('Escalation to you'))
        .map((email) => email.destination.to[0])
        .sort(),
    ).toEqual(['sam@provider.test', 'tina@provider.test']);
  });
});
