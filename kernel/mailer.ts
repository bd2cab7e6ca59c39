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
  /** Where bounce and complaint reports about this email go: its signed bounce address (VERP). */
  bounceTo?: string;
}

export interface Mailer {
  /** Sends and returns the provider's message id (SES MessageId). */
  send(email: OutboundEmail): Promise<{ messageId: string }>;
}

// Control characters, CR and LF among them: in a header they could end it and start another.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]+/g;

/** A header value on one line: a title or subject a customer typed can never add a header. */
export const headerValue = (text: string): string => text.replace(CONTROL, ' ').trim();
