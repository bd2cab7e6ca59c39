import { SESv2Client, SendEmailCommand, type SESv2ClientConfig } from '@aws-sdk/client-sesv2';
import { headerValue, type Mailer, type OutboundEmail } from '../mailer.ts';

/** The mailer port over SES v2 (on AWS) or the aws-ses-v2-local emulator (embedded runtime). */
export class SesMailer implements Mailer {
  private readonly client: SESv2Client;
  sent = 0;

  constructor(config: SESv2ClientConfig = {}) {
    this.client = new SESv2Client(config);
  }

  async send(email: OutboundEmail): Promise<{ messageId: string }> {
    const headers = { 'Auto-Submitted': 'auto-generated', ...(email.headers ?? {}) };
    const out = await this.client.send(
      new SendEmailCommand({
        FromEmailAddress: email.from,
        Destination: { ToAddresses: email.to, CcAddresses: email.cc },
        ReplyToAddresses: email.replyTo,
        FeedbackForwardingEmailAddress: email.bounceTo,
        Content: {
          Simple: {
            Subject: { Data: headerValue(email.subject), Charset: 'UTF-8' },
            Body: { Text: { Data: email.text, Charset: 'UTF-8' }, Html: { Data: email.html, Charset: 'UTF-8' } },
            Headers: Object.entries(headers).map(([Name, Value]) => ({ Name, Value: headerValue(Value) })),
          },
        },
      }),
    );
    this.sent++;
    if (!out.MessageId) throw new Error('SES returned no MessageId');
    return { messageId: out.MessageId };
  }
}
