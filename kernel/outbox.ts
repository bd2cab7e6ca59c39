import type { Clock } from './clock.ts';
import { ConditionFailed, type DynamoStore } from './dynamo-store.ts';
import { DomainError } from './errors.ts';

/**
 * A claim older than this without a message id is taken as a delivery that died before its channel
 * answered. Every function that notifies stops after 30 s (its Lambda timeout), so no attempt is
 * still delivering after a minute.
 */
const CLAIM_LEASE_MS = 60 * 1000;

/** Whom a notification belongs to: its partition ("ISSUE#ISS-1001", "CUSTOMER#acme") and its customer, whose history lists it. */
export interface NotificationOwner {
  pk: string;
  customerId: string;
}

/**
 * A way to reach people: email today (kernel/email-channel.ts); SMS, chat or a webhook next. The
 * outbox keeps the promise (each notification delivered effectively once per owner and key); a
 * channel only addresses, delivers and describes what it delivered.
 */
export interface Channel<Message, Addressing = undefined> {
  /**
   * Its receipts' sort-key prefix under their owner ("EMAIL"), and their prefix in the customer's
   * history index: one channel's keys never meet another's.
   */
  readonly kind: string;
  /**
   * What the message is built with, made before it is built: an email's signed bounce and reply
   * addresses. Runs once per delivery attempt; whatever it stores must be safe to store again.
   */
  address(owner: NotificationOwner, key: string): Promise<Addressing>;
  /** Delivers; the provider's id for the message (SES's MessageId). Throws when the provider refused or failed. */
  deliver(message: Message, addressing: Addressing): Promise<{ messageId: string }>;
  /** What its receipt keeps of a delivered message (for the timeline and the customer's history). */
  receipt(message: Message, addressing: Addressing): Record<string, unknown>;
  /** After delivery (and again when a later attempt finds it delivered): what finds the notification by its message id. */
  delivered?(owner: NotificationOwner, key: string, messageId: string): Promise<void>;
}

/** The notification's claim is held by an attempt that may still be delivering it: retry later (a case loop's turn waits). */
export class DeliveryInFlight extends DomainError {
  constructor(message: string) {
    super('conflict', message);
    this.name = 'DeliveryInFlight';
  }
}

/** How long a step waits before it tries again a notification whose claim another attempt holds. */
export const IN_FLIGHT_RETRY_SECONDS = 15;

/**
 * A workflow step whose notification another attempt may still be delivering: with
 * `inFlight: "wait"` (the definitions that wait on `retrying`), an answer to wait
 * IN_FLIGHT_RETRY_SECONDS and step again, so a benign race is neither a function error (and its
 * alarm) nor a retried task; without it, the error as before, for runs of an older definition.
 */
export async function stepOrWaitForDelivery<T extends { done: boolean; waitSeconds: number }>(
  step: () => Promise<T>,
  inFlight: 'wait' | undefined,
): Promise<(T | { done: false; waitSeconds: number }) & { retrying: boolean }> {
  try {
    return { ...(await step()), retrying: false };
  } catch (error) {
    if (inFlight !== 'wait' || !(error instanceof DeliveryInFlight)) throw error;
    return { done: false, waitSeconds: IN_FLIGHT_RETRY_SECONDS, retrying: true };
  }
}

export type Delivery = { sent: boolean; messageId?: string; sentAt?: string; seq?: number };

/**
 * Delivers a notification effectively once per (owner, channel, key): a conditional write claims
 * the key before delivery and the provider's message id is stored after it, so a retried or
 * duplicated step never delivers twice. A claim without a message id is never taken as delivered:
 * while its lease runs, another attempt may be delivering, so this one throws DeliveryInFlight and
 * is retried; a delivery that fails gives the claim back. The one gap no API closes is a crash
 * between the provider accepting the message and its id being stored: the claim's lease then lets
 * a later retry deliver again rather than lose the message.
 */
export async function deliverOnce<Message, Addressing>(
  deps: { store: DynamoStore; clock: Clock },
  channel: Channel<Message, Addressing>,
  owner: NotificationOwner,
  key: string,
  template: string,
  build: (addressing: Addressing) => Message | Promise<Message>,
  /** Where the notification stands among its owner's events (an issue's event counter when it was sent); kept with the claim and returned. */
  seq?: number,
): Promise<Delivery> {
  const { store, clock } = deps;
  const itemKey = { pk: owner.pk, sk: `${channel.kind}#${key}` };
  const itemType = channel.kind.toLowerCase();
  const claimedAt = clock.now().toISOString();
  try {
    await store.put({ ...itemKey, itemType, key, template, claimedAt, leaseFrom: Date.now(), seq }, { ifAbsent: true });
  } catch (error) {
    if (!(error instanceof ConditionFailed)) throw error;
    const existing = await store.get<{ messageId?: string; sentAt?: string; seq?: number; claimedAt: string; leaseFrom?: number }>(itemKey);
    if (existing?.messageId) {
      // Delivered by an attempt that may have died before it recorded everything after delivery:
      // the channel's pointers are written again (the same items), and the caller records likewise.
      await channel.delivered?.(owner, key, existing.messageId);
      return { sent: false, messageId: existing.messageId, sentAt: existing.sentAt, seq: existing.seq };
    }
    // Another attempt holds the claim and may be delivering right now: try again later, never skip.
    // The attempt runs in wall time, so wall time ends the lease too (on AWS the clock is wall time;
    // a manual clock may stand still while the attempt that claimed died long ago).
    const leaseOver =
      existing &&
      (clock.now().getTime() - Date.parse(existing.claimedAt) >= CLAIM_LEASE_MS ||
        Date.now() - (existing.leaseFrom ?? Date.now()) >= CLAIM_LEASE_MS);
    if (!leaseOver) throw new DeliveryInFlight(`${itemType} ${key} of ${owner.pk} is being delivered by another attempt; try again later`);
    await store.put(
      { ...itemKey, itemType, key, template, claimedAt, leaseFrom: Date.now(), reclaimed: true, seq },
      { condition: 'claimedAt = :c AND attribute_not_exists(messageId)', values: { ':c': existing.claimedAt } },
    );
  }
  const addressing = await channel.address(owner, key);
  const message = await build(addressing);
  let messageId: string;
  try {
    messageId = (await channel.deliver(message, addressing)).messageId;
  } catch (error) {
    // The provider refused or failed (throttling, a sandbox rule): give the claim back so the retry delivers.
    await store
      .delete(itemKey, { condition: 'claimedAt = :c AND attribute_not_exists(messageId)', values: { ':c': claimedAt } })
      .catch(() => undefined); // if the claim cannot be given back, its lease runs out instead
    throw error;
  }
  const sentAt = clock.now().toISOString();
  const fields: Record<string, unknown> = {
    ...channel.receipt(message, addressing),
    messageId,
    sentAt,
    gsi1pk: `CUSTOMER#${owner.customerId}`,
    gsi1sk: `${channel.kind}#${sentAt}#${key}`,
  };
  const names = Object.keys(fields);
  await store.update({
    Key: itemKey,
    UpdateExpression: `SET ${names.map((_, index) => `#f${index} = :f${index}`).join(', ')}`,
    ExpressionAttributeNames: Object.fromEntries(names.map((name, index) => [`#f${index}`, name])),
    ExpressionAttributeValues: Object.fromEntries(names.map((name, index) => [`:f${index}`, fields[name]])),
  });
  await channel.delivered?.(owner, key, messageId);
  return { sent: true, messageId, sentAt, seq };
}
