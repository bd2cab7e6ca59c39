import * as z from 'zod';
import { recipientsOfMessage } from '../../kernel/email-channel.ts';
import { markUndeliverable, type UndeliverableDeps } from './undeliverable.ts';

/** SES's event-publishing record (configuration set → SNS), the fields Steward reads. */
const recipient = z.object({ emailAddress: z.string().max(320) });
const sesEvent = z.object({
  eventType: z.enum([
    'Bounce',
    'Complaint',
    'Delivery',
    'Send',
    'Reject',
    'Open',
    'Click',
    'DeliveryDelay',
    'RenderingFailure',
    'Subscription',
  ]),
  mail: z.object({ messageId: z.string().min(1).max(200) }),
  bounce: z.optional(z.object({ bounceType: z.string(), bouncedRecipients: z.array(recipient).max(100) })),
  complaint: z.optional(z.object({ complainedRecipients: z.array(recipient).max(100) })),
});
const snsEvent = z.object({
  Records: z
    .array(z.object({ Sns: z.object({ Message: z.string() }) }))
    .min(1)
    .max(100),
});

export type FeedbackOutcome = { messageId: string; kind: 'bounce' | 'complaint' | 'ignored'; undeliverable: string[]; reason?: string };

/**
 * SES feedback as AWS delivers it: the configuration set publishes Bounce and Complaint events to an
 * SNS topic that invokes this handler. A permanent bounce or a complaint marks the reported
 * recipients of an email Steward sent undeliverable and tells the service manager; a transient
 * bounce (a full mailbox) changes nothing, and a report about an email Steward did not send, or
 * about someone it was not sent to, is ignored.
 */
export function sesFeedback(deps: UndeliverableDeps): (event: unknown) => Promise<FeedbackOutcome[]> {
  return async (event) => {
    const outcomes: FeedbackOutcome[] = [];
    for (const record of snsEvent.parse(event).Records) {
      const feedback = sesEvent.parse(JSON.parse(record.Sns.Message));
      const messageId = feedback.mail.messageId;
      const ignored = (reason: string) => outcomes.push({ messageId, kind: 'ignored', undeliverable: [], reason });
      const permanent = feedback.eventType === 'Bounce' && feedback.bounce?.bounceType === 'Permanent';
      if (!permanent && feedback.eventType !== 'Complaint') {
        ignored(`${feedback.eventType} ${feedback.bounce?.bounceType ?? ''}`.trim());
        continue;
      }
      const sentTo = await recipientsOfMessage(deps.store, messageId);
      if (!sentTo) {
        ignored('not an email Steward sent');
        continue;
      }
      const reported = (permanent ? feedback.bounce!.bouncedRecipients : (feedback.complaint?.complainedRecipients ?? [])).map((entry) =>
        entry.emailAddress.toLowerCase(),
      );
      const kind = permanent ? 'bounce' : 'complaint';
      const undeliverable = await markUndeliverable(
        deps,
        reported.filter((address) => sentTo.includes(address)),
        kind,
        messageId,
      );
      outcomes.push({ messageId, kind, undeliverable });
    }
    return outcomes;
  };
}
