import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customerEmails, sendOnce } from '../../kernel/email-channel.ts';
import { type Channel, DeliveryInFlight, deliverOnce } from '../../kernel/outbox.ts';
import { inbox, useRuntime } from '../support/runtime.ts';

const env = useRuntime();

/**
 * A second channel beside email, as a chat or paging webhook would be: a JSON POST to a real HTTP
 * server on this machine. The outbox must keep its promise over it without knowing what it is.
 */
type ChatMessage = { text: string };
const received: { key: string; body: ChatMessage }[] = [];
let failNext = 0;
let server: Server;
let url = '';

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      if (failNext > 0) {
        failNext--;
        response.writeHead(503).end();
        return;
      }
      const key = String(request.headers['idempotency-key']);
      received.push({ key, body: JSON.parse(body) });
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `chat-${received.length}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const chat: Channel<ChatMessage, { idempotencyKey: string }> = {
  kind: 'CHAT',
  address: async (owner, key) => ({ idempotencyKey: `${owner.pk}/${key}` }),
  async deliver(message, { idempotencyKey }) {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
      body: JSON.stringify(message),
    });
    if (!response.ok) throw new Error(`chat webhook answered ${response.status}`);
    return { messageId: ((await response.json()) as { id: string }).id };
  },
  receipt: (message) => ({ text: message.text }),
};

const owner = { pk: 'CUSTOMER#acme', customerId: 'acme' };

describe('notifications over any channel, effectively once', () => {
  it('parallel deliveries of one notification over a second channel: one POST, and every retry answers with its id', async () => {
    const deliver = () => deliverOnce(env.runtime.deps, chat, owner, 'outage-1', 'outage', () => ({ text: 'The Lisbon circuit is down.' }));
    const first = await Promise.allSettled(Array.from({ length: 8 }, deliver));
    const sent = first.filter((result) => result.status === 'fulfilled');
    expect(sent).toHaveLength(1);
    for (const result of first.filter((entry) => entry.status === 'rejected'))
      expect((result as PromiseRejectedResult).reason).toBeInstanceOf(DeliveryInFlight);
    const retries = await Promise.all(Array.from({ length: 8 }, deliver));
    const messageId = (sent[0] as PromiseFulfilledResult<{ messageId?: string }>).value.messageId;
    expect(retries.map((retry) => [retry.sent, retry.messageId])).toEqual(Array.from({ length: 8 }, () => [false, messageId]));
    expect(received.filter((entry) => entry.key === 'CUSTOMER#acme/outage-1')).toHaveLength(1);
  });

  it('a provider that fails gives the claim back: the retry delivers, once', async () => {
    failNext = 1;
    const deliver = () => deliverOnce(env.runtime.deps, chat, owner, 'outage-2', 'outage', () => ({ text: 'Back up.' }));
    await expect(deliver()).rejects.toThrow('chat webhook answered 503');
    expect((await deliver()).sent).toBe(true);
    expect((await deliver()).sent).toBe(false);
    expect(received.filter((entry) => entry.key === 'CUSTOMER#acme/outage-2')).toHaveLength(1);
  });

  it('the same key on two channels is two notifications; the email history lists only the email', async () => {
    const key = 'both-ways';
    await deliverOnce(env.runtime.deps, chat, owner, key, 'outage', () => ({ text: 'By chat.' }));
    await sendOnce(env.runtime.deps, owner, key, 'outage', () => ({
      to: ['ann@acme.test'],
      subject: 'By email',
      text: 'By email.',
      html: '<p>By email.</p>',
    }));
    expect(received.filter((entry) => entry.key === `CUSTOMER#acme/${key}`)).toHaveLength(1);
    expect((await inbox(env.runtime)).filter((mail) => mail.subject === 'By email')).toHaveLength(1);
    const history = (await customerEmails(env.runtime.store, 'acme')).filter((email) => email.key === key);
    expect(history.map((email) => [email.subject, email.to])).toEqual([['By email', ['ann@acme.test']]]);
    const receipt = await env.runtime.store.get<{ text?: string; itemType?: string }>({ pk: owner.pk, sk: `CHAT#${key}` });
    expect(receipt).toMatchObject({ itemType: 'chat', text: 'By chat.' });
  });
});
