import type { Deps } from '../../kernel/deps.ts';
import { ConditionFailed } from '../../kernel/dynamo-store.ts';
import { renderDunningEmail } from './templates.ts';
import { sendOnce } from '../../kernel/email-channel.ts';
import { customerContext } from './dunning-service.ts';

/** A customer's answer to a dunning email, kept on the customer's AR history. */
export interface CustomerReply {
  at: string;
  from: string;
  subject: string;
  text: string;
  /** The key of the email it answers (e.g. "dunning-g1-why"). */
  answers: string;
}

const replyKey = (customerId: string, dedupKey: string) => ({ pk: `CUSTOMER#${customerId}`, sk: `REPLY#${dedupKey}` });

/**
 * Records a reply to a dunning email once per message (`dedupKey`) and tells the customer's service
 * manager with its text; a redelivery after a crash sends the notice it missed, never a second one.
 */
export async function recordCustomerReply(
  deps: Pick<Deps, 'store' | 'mailer' | 'clock' | 'settings'>,
  customerId: string,
  reply: Omit<CustomerReply, 'at'>,
  dedupKey: string,
): Promise<{ duplicate: boolean }> {
  const { store, clock } = deps;
  let duplicate = false;
  try {
    await store.put(
      { ...replyKey(customerId, dedupKey), itemType: 'ar-reply', at: clock.now().toISOString(), ...reply },
      { ifAbsent: true },
    );
  } catch (error) {
    if (!(error instanceof ConditionFailed)) throw error;
    duplicate = true;
  }
  const { customer } = await customerContext(deps, customerId);
  const manager = customer.team.serviceManager;
  await sendOnce(deps, { pk: `CUSTOMER#${customerId}`, customerId }, `ar-reply-${dedupKey}`, 'dunning-reply', async () => ({
    to: [manager.email],
    ...(await renderDunningEmail('dunning-reply', { customer, person: manager, reply })),
  }));
  return { duplicate };
}

/** A page of a customer's replies in the order they are stored (by message), not by time; `after` is the `next` of the page before. */
export async function customerRepliesPage(
  store: Deps['store'],
  customerId: string,
  limit: number,
  after?: string,
): Promise<{ replies: CustomerReply[]; next?: string }> {
  const page = await store.prefixPage<CustomerReply & Record<string, unknown>>({
    partition: `CUSTOMER#${customerId}`,
    prefix: 'REPLY#',
    limit,
    after,
  });
  return { replies: page.items.map(replyOf), ...(page.next ? { next: page.next } : {}) };
}

const replyOf = ({ at, from, subject, text, answers }: CustomerReply): CustomerReply => ({ at, from, subject, text, answers });
