import { randomBytes } from 'node:crypto';

/**
 * The event SES hands a receipt rule's Lambda action, built for a message the local SMTP listener
 * received. Nothing verifies SPF, DKIM or DMARC locally, so their verdicts are GRAY (neither pass
 * nor fail), as SES reports when it could not decide.
 */
export function sesReceiptEvent(input: { raw: Buffer; recipients: string[]; sender: string; now: Date }) {
  const messageId = randomBytes(20).toString('hex');
  const gray = { status: 'GRAY' };
  return {
    Records: [
      {
        eventSource: 'aws:ses',
        eventVersion: '1.0',
        ses: {
          mail: {
            timestamp: input.now.toISOString(),
            source: input.sender,
            messageId,
            destination: input.recipients,
            headersTruncated: false,
            headers: [],
            commonHeaders: {},
          },
          receipt: {
            timestamp: input.now.toISOString(),
            processingTimeMillis: 0,
            recipients: input.recipients,
            spamVerdict: gray,
            virusVerdict: gray,
            spfVerdict: gray,
            dkimVerdict: gray,
            dmarcVerdict: gray,
            action: {
              type: 'Lambda',
              functionArn: 'arn:aws:lambda:local:000000000000:function:inbound-email',
              invocationType: 'RequestResponse',
            },
          },
        },
      },
    ],
  };
}
