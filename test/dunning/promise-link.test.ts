import { describe, expect, it } from 'vitest';
import { acme, inbox, invoiceInput, useRuntime } from '../support/runtime.ts';

const env = useRuntime({ clockStart: '2026-11-25T08:00:00Z' }); // Wednesday 09:00 in Berlin

const promise = async (link: string, date: string) => {
  const response = await fetch(link, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ invoiceId: 'PL-1', date }).toString(),
  });
  const text = await response.text();
  await env.runtime.tracker.idle();
  return { status: response.status, text };
};

describe('the promise-to-pay link', () => {
  it('acts once in its exact encoding only (no suffix makes a new link) and takes a date at most 60 days ahead', async () => {
    await env.client.post('/customers', {
      ...acme,
      id: 'pl',
      name: 'Promise Ltd',
      emailDomains: ['promise.test'],
      contacts: [{ name: 'Pia', email: 'pia@promise.test', roles: ['billing'] }],
    });
    expect((await env.client.post('/invoices', invoiceInput('PL-1', 'pl', '2026-12-01', 1000))).status).toBe(201);
    await env.client.moveTo('2026-12-08T10:00:00Z'); // the second reminder asks what is wrong and offers the links
    const reminder = (await inbox(env.runtime)).find(
      (email) => email.destination.to.includes('pia@promise.test') && email.subject.startsWith('Second reminder'),
    );
    const link = /promise a payment date \((\S+)\)/.exec(reminder?.body.text ?? '')?.[1];
    expect(link, 'the reminder carries a promise link').toBeDefined();

    // Far ahead: a promise pauses dunning for the invoice until its date.
    const far = await promise(link!, '2999-12-31');
    expect(far.status).toBe(409);
    expect(far.text).toContain('at most 60 days ahead');
    expect((await env.client.get('/invoices/PL-1')).body.promise).toBeUndefined();

    expect((await promise(link!, '2026-12-20')).status).toBe(200);
    // The same link again, and with junk a base64 decoder would skip: nothing new is recorded.
    expect((await promise(link!, '2026-12-21')).text).toContain('used already');
    for (const variant of [`${link}=`, `${link}!`, `${link}%3D`, `${link}A`]) {
      const again = await promise(variant, '2026-12-21');
      expect(again.status, variant.slice(-3)).toBe(400);
      expect(again.text).toContain('not valid');
    }
    const stored = (await env.client.get('/invoices/PL-1')).body;
    expect(stored.promisesMade).toBe(1);
    expect(stored.promise.date).toBe('2026-12-20');
  });
});
