import { randomBytes } from 'node:crypto';

/**
 * The event SES hands a receipt rule's Lambda action, built for a message the local SMTP listener
 * received. Nothing verifies SPF, DKIM or DMARC locally, so their verdicts are GRAY (neither pass
 * nor fail), as SES reports when it could not decide. Spam and virus scanning recognise only the
 * industry's test strings in the raw message (GTUBE, EICAR), so the FAIL path can be tried end to end.
 */
const GTUBE = 'XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X';
const EICAR = 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*';

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
            spamVerdict: input.raw.includes(GTUBE) ? { status: 'FAIL' } : gray,
            virusVerdict: input.raw.includes(EICAR) ? { status: 'FAIL' } : gray,
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
