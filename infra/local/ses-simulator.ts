import { randomUUID } from 'node:crypto';
import type { Mailer, OutboundEmail } from '../../kernel/mailer.ts';
import { LOCAL_PLACE } from '../aws-names.ts';

/** SES's mailbox simulator addresses and the event each produces (docs: "Using the mailbox simulator"). */
const SIMULATED = new Map([
  ['bounce@simulator.amazonses.com', 'Bounce'],
  ['complaint@simulator.amazonses.com', 'Complaint'],
] as const);

/**
 * The SES mailbox simulator on top of the local SES: mail to its bounce or complaint address
 * produces the Bounce or Complaint event a configuration set publishes to SNS; `publish` gets it,
 * right after the send, as the SNS event the ses-feedback function receives on AWS.
 */
export function withMailboxSimulator(mailer: Mailer, publish: (snsEvent: unknown) => Promise<unknown>): Mailer {
  return {
    async send(email: OutboundEmail) {
      const sent = await mailer.send(email);
      for (const address of [...email.to, ...(email.cc ?? [])]) {
        const eventType = SIMULATED.get(address.toLowerCase() as never);
        if (!eventType) continue;
        const event = snsEvent(sesEvent(eventType, sent.messageId, email, address.toLowerCase()));
        void publish(event);
      }
      return sent;
    },
  };
}

function sesEvent(eventType: 'Bounce' | 'Complaint', messageId: string, email: OutboundEmail, address: string) {
  const timestamp = new Date().toISOString();
  const mail = { timestamp, messageId, source: email.from, destination: [...email.to, ...(email.cc ?? [])] };
  return eventType === 'Bounce'
    ? {
        eventType,
        mail,
        bounce: {
          bounceType: 'Permanent',
          bounceSubType: 'General',
          bouncedRecipients: [{ emailAddress: address, action: 'failed', status: '5.1.1', diagnosticCode: 'smtp; 550 5.1.1 user unknown' }],
          timestamp,
          feedbackId: randomUUID(),
        },
      }
    : { eventType, mail, complaint: { complainedRecipients: [{ emailAddress: address }], timestamp, feedbackId: randomUUID() } };
}

function snsEvent(message: unknown) {
  const topicArn = `arn:aws:sns:${LOCAL_PLACE.region}:${LOCAL_PLACE.account}:steward-ses-feedback`;
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: `${topicArn}:${randomUUID()}`,
        Sns: {
          Type: 'Notification',
          MessageId: randomUUID(),
          TopicArn: topicArn,
          Subject: null,
          Message: JSON.stringify(message),
          Timestamp: new Date().toISOString(),
        },
      },
    ],
  };
}
