import { createHash } from 'node:crypto';
import type { Clock } from './clock.ts';
import type { Settings } from './deps.ts';
import { ConditionFailed, type DynamoStore } from './dynamo-store.ts';
import { DomainError } from './errors.ts';
import { bounceAddress, emailReplyAddress } from './links.ts';
import type { Mailer, OutboundEmail } from './mailer.ts';

/**
 * A claim older than this without a MessageId is taken as a send that died before SES answered.
 * Every function that sends email stops after 30 s (its Lambda timeout), so no attempt is still
 * sending after a minute.
 */
const CLAIM_LEASE_MS = 60 * 1000;

export interface SentEmail {
  key: string;
  messageId: string;
  sentAt: string;
  subject: string;
  to: string[];
  cc?: string[];
  template: string;
  /** The signed address its bounces and complaints come back to. */
  bounceTo?: string;
  /** The plain-text body as sent (clipped to TEXT_KEPT_CHARS); only where asked for. */
  text?: string;
}

/** How much of an email's plain text its outbox item keeps, for the console's timeline (an item holds at most 400 KB). */
export const TEXT_KEPT_CHARS = 20_000;

/** The email's claim is held by an attempt that may still be sending it: retry later (a workflow step's Retry does). */
export class EmailInFlight extends DomainError {
  constructor(message: string) {
    super('conflict', message);
    this.name = 'EmailInFlight';
  }
}

/** How long a step waits before it tries again an email whose claim another attempt holds. */
export const IN_FLIGHT_RETRY_SECONDS = 15;

/**
 * A workflow step whose email another attempt may still be sending: with `emailInFlight: "wait"`
 * (the definitions that wait on `retrying`), an answer to wait IN_FLIGHT_RETRY_SECONDS and step again,
 * so a benign race is neither a function error (and its alarm) nor a retried task; without it, the
 * error as before, for runs of an older definition.
 */
export async function stepOrWaitForEmail<T extends { done: boolean; waitSeconds: number }>(
  step: () => Promise<T>,
  emailInFlight: 'wait' | undefined,
): Promise<(T | { done: false; waitSeconds: number }) & { retrying: boolean }> {
  try {
    return { ...(await step()), retrying: false };
  } catch (error) {
    if (emailInFlight !== 'wait' || !(error instanceof EmailInFlight)) throw error;
    return { done: false, waitSeconds: IN_FLIGHT_RETRY_SECONDS, retrying: true };
  }
}

export type OutboxDeps = { store: DynamoStore; mailer: Mailer; clock: Clock; settings: Pick<Settings, 'inboundAddress' | 'linkKey'> };

/** The short id a bounce address carries for one email (owner and key, hashed to fit a mail local part). */
const emailIdOf = (pk: string, key: string) => createHash('sha256').update(`${pk}\n${key}`).digest('hex').slice(0, 20);

/**
 * Sends an email effectively once per (owner, key): a conditional write claims the key before the
 * send and the SES MessageId is stored after it, so a retried or duplicated step never sends twice.
 * A claim without a MessageId is never taken as sent: while its lease runs, another attempt may be
 * sending, so this one throws EmailInFlight and is retried; a send that fails gives the claim back.
 * The one gap no API closes is a crash between SES accepting the mail and the MessageId being
 * stored: the claim's lease then lets a later retry send again rather than lose the message.
 */
export async function sendOnce(
  deps: OutboxDeps,
  owner: { pk: string; customerId: string },
  key: string,
  template: string,
  build: (signed: { replyAddress: string }) => OutboundEmail | Promise<OutboundEmail>,
  /** Where the email stands among its owner's events (an issue's event counter when it was sent); kept with the claim and returned. */
  seq?: number,
): Promise<{ sent: boolean; messageId?: string; sentAt?: string; seq?: number }> {
  const itemKey = { pk: owner.pk, sk: `EMAIL#${key}` };
  const now = deps.clock.now();
  const claimedAt = now.toISOString();
  try {
    await deps.store.put({ ...itemKey, itemType: 'email', key, template, claimedAt, leaseFrom: Date.now(), seq }, { ifAbsent: true });
  } catch (error) {
    if (!(error instanceof ConditionFailed)) throw error;
    const existing = await deps.store.get<{ messageId?: string; sentAt?: string; seq?: number; claimedAt: string; leaseFrom?: number }>(
      itemKey,
    );
    if (existing?.messageId) {
      // Sent by an attempt that may have died before it recorded everything after the send: the
      // Message-ID pointer is written again (the same item), and the caller records it likewise.
      await deps.store.put({ pk: `MSGID#${existing.messageId}`, sk: 'META', itemType: 'message-id', owner: owner.pk, key });
      return { sent: false, messageId: existing.messageId, sentAt: existing.sentAt, seq: existing.seq };
    }
    // Another attempt holds the claim and may be sending right now: try again later, never skip. The
    // attempt runs in wall time, so wall time ends the lease too (on AWS the clock is wall time; a
    // manual clock may stand still while the attempt that claimed died long ago).
    const leaseOver =
      existing &&
      (now.getTime() - Date.parse(existing.claimedAt) >= CLAIM_LEASE_MS ||
        Date.now() - (existing.leaseFrom ?? Date.now()) >= CLAIM_LEASE_MS);
    if (!leaseOver) throw new EmailInFlight(`email ${key} of ${owner.pk} is being sent by another attempt; try again later`);
    await deps.store.put(
      { ...itemKey, itemType: 'email', key, template, claimedAt, leaseFrom: Date.now(), reclaimed: true, seq },
      { condition: 'claimedAt = :c AND attribute_not_exists(messageId)', values: { ':c': existing.claimedAt } },
    );
  }
  const emailId = emailIdOf(itemKey.pk, key);
  const linkKey = await deps.settings.linkKey();
  const bounceTo = bounceAddress(deps.settings.inboundAddress, emailId, linkKey);
  // The pointer serves the email's bounce address and its reply address alike.
  await deps.store.put({ pk: `BOUNCE#${emailId}`, sk: 'META', itemType: 'bounce-address', owner: owner.pk, key });
  const email = await build({ replyAddress: emailReplyAddress(deps.settings.inboundAddress, emailId, linkKey) });
  let messageId: string;
  try {
    messageId = (await deps.mailer.send({ ...email, bounceTo })).messageId;
  } catch (error) {
    // SES refused or failed (throttling, a sandbox rule): give the claim back so the retry sends.
    await deps.store
      .delete(itemKey, { condition: 'claimedAt = :c AND attribute_not_exists(messageId)', values: { ':c': claimedAt } })
      .catch(() => undefined); // if the claim cannot be given back, its lease runs out instead
    throw error;
  }
  const sentAt = deps.clock.now().toISOString();
  await deps.store.update({
    Key: itemKey,
    UpdateExpression:
      'SET messageId = :m, sentAt = :s, subject = :subj, #to = :to, cc = :cc, bounceTo = :b, #text = :text, gsi1pk = :g1, gsi1sk = :g1s',
    ExpressionAttributeNames: { '#to': 'to', '#text': 'text' },
    ExpressionAttributeValues: {
      ':m': messageId,
      ':s': sentAt,
      ':subj': email.subject,
      ':to': email.to,
      ':cc': email.cc ?? [],
      ':b': bounceTo,
      ':text': email.text.length > TEXT_KEPT_CHARS ? `${email.text.slice(0, TEXT_KEPT_CHARS)}…` : email.text,
      ':g1': `CUSTOMER#${owner.customerId}`,
      ':g1s': `EMAIL#${sentAt}#${key}`,
    },
  });
  // Replies quote the Message-ID SES assigned (SES replaces ours): index it for threading.
  await deps.store.put({ pk: `MSGID#${messageId}`, sk: 'META', itemType: 'message-id', owner: owner.pk, key });
  return { sent: true, messageId, sentAt, seq };
}

/** Where a pointer item (a bounce or reply address's `BOUNCE#`, a quoted Message-ID's `MSGID#`) says its email is. */
async function pointerAt(store: DynamoStore, pk: string): Promise<{ owner: string; key: string } | undefined> {
  const pointer = await store.get<{ owner?: string; key?: string }>({ pk, sk: 'META' });
  return pointer?.owner && pointer.key ? { owner: pointer.owner, key: pointer.key } : undefined;
}

/** The owner (e.g. "CUSTOMER#acme") and key of the email a signed bounce or reply address names. */
export const ownerOfEmail = (store: DynamoStore, emailId: string) => pointerAt(store, `BOUNCE#${emailId}`);

/** The owner and key of an email Steward sent, by the SES MessageId a reply quotes. */
export const emailOfMessage = (store: DynamoStore, messageId: string) => pointerAt(store, `MSGID#${messageId}`);

/** Who an email that a bounce address names was sent to (To and Cc), or undefined for an unknown one. */
export async function recipientsOfBounced(store: DynamoStore, emailId: string): Promise<string[] | undefined> {
  return recipientsOf(store, await ownerOfEmail(store, emailId));
}

/** Who the email with this SES MessageId was sent to (To and Cc), or undefined when Steward did not send it. */
export async function recipientsOfMessage(store: DynamoStore, messageId: string): Promise<string[] | undefined> {
  return recipientsOf(store, await emailOfMessage(store, messageId));
}

async function recipientsOf(store: DynamoStore, pointer: { owner: string; key: string } | undefined): Promise<string[] | undefined> {
  if (!pointer) return undefined;
  const email = await store.get<{ to?: string[]; cc?: string[] }>({ pk: pointer.owner, sk: `EMAIL#${pointer.key}` });
  return email ? [...(email.to ?? []), ...(email.cc ?? [])].map((address) => address.toLowerCase()) : undefined;
}

/** The emails sent for one owner (e.g. "ISSUE#I-1"); with `withText`, each with its plain text as sent. */
export async function sentEmails(store: DynamoStore, pk: string, options: { withText?: boolean } = {}): Promise<SentEmail[]> {
  return toSent(
    await store.query({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :e)',
      ExpressionAttributeValues: { ':pk': pk, ':e': 'EMAIL#' },
    }),
    options.withText,
  );
}

/** The emails sent under these keys of one owner (an issue's timeline page, its ladder), where sent. */
export async function emailsByKey(
  store: DynamoStore,
  pk: string,
  keys: string[],
  options: { withText?: boolean } = {},
): Promise<SentEmail[]> {
  return toSent(await store.batchGet([...new Set(keys)].map((key) => ({ pk, sk: `EMAIL#${key}` }))), options.withText);
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

/** A page of the emails sent about a customer, newest first; `after` is the `next` of the page before. */
export async function customerEmailsPage(
  store: DynamoStore,
  customerId: string,
  limit: number,
  after?: string,
): Promise<{ emails: SentEmail[]; next?: string }> {
  const page = await store.prefixPage({
    index: 'gsi1',
    partition: `CUSTOMER#${customerId}`,
    prefix: 'EMAIL#',
    limit,
    after,
    descending: true,
  });
  const emails = toSent(await store.batchGet(page.items.map(({ pk, sk }) => ({ pk: String(pk), sk: String(sk) }))));
  return { emails, ...(page.next ? { next: page.next } : {}) };
}

function toSent(items: Record<string, unknown>[], withText = false): SentEmail[] {
  return (items as (Partial<SentEmail> & Record<string, unknown>)[])
    .filter((item) => item.messageId)
    .map(
      ({ key, messageId, sentAt, subject, to, cc, template, bounceTo, text }) =>
        ({
          key,
          messageId,
          sentAt,
          subject,
          to,
          ...(cc?.length ? { cc } : {}),
          template,
          ...(bounceTo ? { bounceTo } : {}),
          ...(withText && text !== undefined ? { text } : {}),
        }) as SentEmail,
    );
}
