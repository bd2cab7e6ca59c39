import type { Clock } from './clock.ts';
import type { Mailer, OutboundEmail } from './mailer.ts';
import { ConditionFailed, type DynamoStore } from './dynamo-store.ts';

/** A claim older than this without a MessageId is taken as a send that died before SES answered. */
const CLAIM_LEASE_MS = 2 * 60 * 1000;

export interface SentEmail {
  key: string;
  messageId: string;
  sentAt: string;
  subject: string;
  to: string[];
  template: string;
}

/**
 * Sends an email effectively once per (owner, key): a conditional write claims the key before the
 * send and the SES MessageId is stored after it, so a retried or duplicated step never sends twice.
 * The one gap no API closes is a crash between SES accepting the mail and the MessageId being
 * stored: the claim's lease then lets a later retry send again rather than lose the message.
 */
export async function sendOnce(
  deps: { store: DynamoStore; mailer: Mailer; clock: Clock },
  owner: { pk: string; customerId: string },
  key: string,
  template: string,
  build: () => OutboundEmail | Promise<OutboundEmail>,
): Promise<{ sent: boolean; messageId?: string }> {
  const itemKey = { pk: owner.pk, sk: `EMAIL#${key}` };
  const now = deps.clock.now();
  try {
    await deps.store.put({ ...itemKey, itemType: 'email', key, template, claimedAt: now.toISOString() }, { ifAbsent: true });
  } catch (error) {
    if (!(error instanceof ConditionFailed)) throw error;
    const existing = await deps.store.get<{ messageId?: string; claimedAt: string }>(itemKey);
    if (existing?.messageId) return { sent: false, messageId: existing.messageId };
    if (existing && now.getTime() - Date.parse(existing.claimedAt) < CLAIM_LEASE_MS) return { sent: false };
    await deps.store.put(
      { ...itemKey, itemType: 'email', key, template, claimedAt: now.toISOString(), reclaimed: true },
      { condition: 'claimedAt = :c AND attribute_not_exists(messageId)', values: { ':c': existing?.claimedAt } },
    );
  }
  const email = await build();
  const { messageId } = await deps.mailer.send(email);
  const sentAt = deps.clock.now().toISOString();
  await deps.store.update({
    Key: itemKey,
    UpdateExpression: 'SET messageId = :m, sentAt = :s, subject = :subj, #to = :to, gsi1pk = :g1, gsi1sk = :g1s',
    ExpressionAttributeNames: { '#to': 'to' },
    ExpressionAttributeValues: {
      ':m': messageId,
      ':s': sentAt,
      ':subj': email.subject,
      ':to': email.to,
      ':g1': `CUSTOMER#${owner.customerId}`,
      ':g1s': `EMAIL#${sentAt}#${key}`,
    },
  });
  // Replies quote the Message-ID SES assigned (SES replaces ours): index it for threading.
  await deps.store.put({ pk: `MSGID#${messageId}`, sk: 'META', itemType: 'message-id', owner: owner.pk, key });
  return { sent: true, messageId };
}

/** The owner (e.g. "ISSUE#ISS-1042") of an email Steward sent, by SES MessageId. */
export async function ownerOfMessage(store: DynamoStore, messageId: string): Promise<string | undefined> {
  return (await store.get<{ owner?: string }>({ pk: `MSGID#${messageId}`, sk: 'META' }))?.owner;
}

export async function sentEmails(store: DynamoStore, pk: string): Promise<SentEmail[]> {
  return toSent(
    await store.query({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :e)',
      ExpressionAttributeValues: { ':pk': pk, ':e': 'EMAIL#' },
    }),
  );
}

/** Every email sent about a customer, oldest first: one query of the (keys-only) history index, then the items by key. */
export async function customerEmails(store: DynamoStore, customerId: string): Promise<SentEmail[]> {
  const keys = await store.query({
    IndexName: 'gsi1',
    KeyConditionExpression: 'gsi1pk = :pk AND begins_with(gsi1sk, :e)',
    ExpressionAttributeValues: { ':pk': `CUSTOMER#${customerId}`, ':e': 'EMAIL#' },
  });
  return toSent(await store.batchGet(keys.map(({ pk, sk }) => ({ pk: String(pk), sk: String(sk) }))));
}

function toSent(items: Record<string, unknown>[]): SentEmail[] {
  return (items as (Partial<SentEmail> & Record<string, unknown>)[])
    .filter((item) => item.messageId)
    .map(({ key, messageId, sentAt, subject, to, template }) => ({ key, messageId, sentAt, subject, to, template }) as SentEmail);
}
