import { createHash } from 'node:crypto';
import type { Clock } from './clock.ts';
import type { Settings } from './deps.ts';
import type { DynamoStore } from './dynamo-store.ts';
import { bounceAddress, emailReplyAddress } from './links.ts';
import type { Mailer, OutboundEmail } from './mailer.ts';
import { type Channel, type Delivery, deliverOnce, type NotificationOwner } from './outbox.ts';

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

/** How much of an email's plain text its receipt keeps, for the console's timeline (an item holds at most 400 KB). */
export const TEXT_KEPT_CHARS = 20_000;

/** An email's signed addresses, made before it is built: where bounces go and where a reply to it goes. */
export interface EmailAddressing {
  bounceTo: string;
  replyAddress: string;
}

/** An email as a module builds it: from Steward's own address unless it says otherwise. */
export type EmailMessage = Omit<OutboundEmail, 'from' | 'bounceTo'> & { from?: string };

export type EmailDeps = {
  store: DynamoStore;
  mailer: Mailer;
  clock: Clock;
  settings: Pick<Settings, 'inboundAddress' | 'linkKey' | 'fromAddress'>;
};

/** The short id a bounce address carries for one email (owner and key, hashed to fit a mail local part). */
const emailIdOf = (pk: string, key: string) => createHash('sha256').update(`${pk}\n${key}`).digest('hex').slice(0, 20);

/**
 * Email over SES: each email gets a signed bounce address (VERP) and reply address, both found
 * again by a pointer item; the Message-ID SES assigns is indexed, since replies quote it.
 */
export function emailChannel({ store, mailer, settings }: Omit<EmailDeps, 'clock'>): Channel<EmailMessage, EmailAddressing> {
  return {
    kind: 'EMAIL',
    async address(owner, key) {
      const emailId = emailIdOf(owner.pk, key);
      const linkKey = await settings.linkKey();
      // The pointer serves the email's bounce address and its reply address alike.
      await store.put({ pk: `BOUNCE#${emailId}`, sk: 'META', itemType: 'bounce-address', owner: owner.pk, key });
      return {
        bounceTo: bounceAddress(settings.inboundAddress, emailId, linkKey),
        replyAddress: emailReplyAddress(settings.inboundAddress, emailId, linkKey),
      };
    },
    deliver: (email, { bounceTo }) => mailer.send({ ...email, from: email.from ?? settings.fromAddress, bounceTo }),
    receipt: (email, { bounceTo }) => ({
      subject: email.subject,
      to: email.to,
      cc: email.cc ?? [],
      bounceTo,
      text: email.text.length > TEXT_KEPT_CHARS ? `${email.text.slice(0, TEXT_KEPT_CHARS)}…` : email.text,
    }),
    // Replies quote the Message-ID SES assigned (SES replaces ours): index it for threading.
    delivered: async (owner, key, messageId) => {
      await store.put({ pk: `MSGID#${messageId}`, sk: 'META', itemType: 'message-id', owner: owner.pk, key });
    },
  };
}

/** Sends an email effectively once per (owner, key): the outbox's promise (kernel/outbox.ts) over the email channel. */
export function sendOnce(
  deps: EmailDeps,
  owner: NotificationOwner,
  key: string,
  template: string,
  build: (addressing: EmailAddressing) => EmailMessage | Promise<EmailMessage>,
  seq?: number,
): Promise<Delivery> {
  return deliverOnce(deps, emailChannel(deps), owner, key, template, build, seq);
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
