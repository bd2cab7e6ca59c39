/** An email Steward sends. Every one carries Auto-Submitted: auto-generated. */
export interface OutboundEmail {
  from: string;
  to: string[];
  cc?: string[];
  replyTo?: string[];
  subject: string;
  text: string;
  html: string;
  headers?: Record<string, string>;
}

export interface Mailer {
  /** Sends and returns the provider's message id (SES MessageId). */
  send(email: OutboundEmail): Promise<{ messageId: string }>;
}
