import { SESv2Client, SendEmailCommand, type SendEmailCommandOutput, type SESv2ClientConfig } from '@aws-sdk/client-sesv2';
import type { Telemetry } from '../telemetry.ts';
import { headerValue, type Mailer, type OutboundEmail } from '../mailer.ts';

export interface MailerOptions {
  /** Sends per second at most (SES's sending quota is a rate); unset: as fast as SES answers. */
  maxPerSecond?: number;
  /** The SES configuration set whose event destination reports bounces and complaints. */
  configurationSet?: string;
  /** Where sent, retried and failed sends are counted (EmailsSent, EmailsRetried, EmailsFailed). */
  telemetry?: Telemetry;
}

/**
 * The mailer port over SES v2 (on AWS) or the aws-ses-v2-local emulator (embedded runtime).
 * Throttling and other retryable errors are retried by the SDK with backoff; what it counts here
 * is what an operator watches: sent, retried attempts, failed sends.
 */
export class SesMailer implements Mailer {
  readonly client: SESv2Client;
  readonly counts = { sent: 0, retried: 0, failed: 0 };
  /** Kept for the benchmarks that read it. */
  get sent(): number {
    return this.counts.sent;
  }
  private nextSlot = 0;

  constructor(
    config: SESv2ClientConfig = {},
    private readonly options: MailerOptions = {},
  ) {
    this.client = new SESv2Client(config);
  }

  async send(email: OutboundEmail): Promise<{ messageId: string }> {
    await this.pace();
    const headers = { 'Auto-Submitted': 'auto-generated', ...(email.headers ?? {}) };
    let out: SendEmailCommandOutput;
    try {
      out = await this.client.send(
        new SendEmailCommand({
          FromEmailAddress: email.from,
          Destination: { ToAddresses: email.to, CcAddresses: email.cc },
          ReplyToAddresses: email.replyTo,
          FeedbackForwardingEmailAddress: email.bounceTo,
          ConfigurationSetName: this.options.configurationSet,
          Content: {
            Simple: {
              Subject: { Data: headerValue(email.subject), Charset: 'UTF-8' },
              Body: { Text: { Data: email.text, Charset: 'UTF-8' }, Html: { Data: email.html, Charset: 'UTF-8' } },
              Headers: Object.entries(headers).map(([Name, Value]) => ({ Name, Value: headerValue(Value) })),
            },
          },
        }),
      );
    } catch (error) {
      this.counted('failed', (error as { $metadata?: { attempts?: number } }).$metadata?.attempts);
      this.options.telemetry?.warn('email not sent', {
        subject: headerValue(email.subject),
        error: `${(error as Error).name}: ${(error as Error).message}`.slice(0, 300),
      });
      throw error;
    }
    this.counted('sent', out.$metadata.attempts);
    const recipients = email.to.length + (email.cc?.length ?? 0);
    this.options.telemetry?.info('email sent', { subject: headerValue(email.subject), recipients, messageId: out.MessageId });
    if (!out.MessageId) throw new Error('SES returned no MessageId');
    return { messageId: out.MessageId };
  }

  private counted(outcome: 'sent' | 'failed', attempts = 1): void {
    const retried = Math.max(0, attempts - 1);
    this.counts[outcome]++;
    this.counts.retried += retried;
    this.options.telemetry?.count(outcome === 'sent' ? 'EmailsSent' : 'EmailsFailed');
    this.options.telemetry?.count('EmailsRetried', retried);
  }

  /** Spaces sends 1/maxPerSecond apart: each send takes the next free slot and waits for it. */
  private async pace(): Promise<void> {
    const rate = this.options.maxPerSecond;
    if (!rate) return;
    const now = Date.now();
    const slot = Math.max(now, this.nextSlot);
    this.nextSlot = slot + 1000 / rate;
    if (slot > now) await new Promise((resolve) => setTimeout(resolve, slot - now));
  }
}

/** Reads a sending rate setting (emails per second, above 0 and at most 1,000); empty means no pacing. */
export function sendingRate(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const rate = Number(raw);
  if (!Number.isFinite(rate) || rate <= 0 || rate > 1000)
    throw new Error(`${name} must be a number of emails per second above 0 and at most 1000, got "${raw.slice(0, 40)}"`);
  return rate;
}
