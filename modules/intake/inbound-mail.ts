import { utf8Bytes } from '../../kernel/bounds.ts';
import PostalMime, { type Address, decodeWords } from 'postal-mime';

/**
 * What an inbound message is, before any lookup: mail that a machine wrote (bounce, complaint,
 * auto-reply) never opens or changes an issue and is never answered. Everything else is a message
 * from a person, which threading then makes a reply or a new issue.
 */
/** Where the SES receipt rule's S3 action stores raw messages (the same prefix in the local store). */
export const INBOUND_PREFIX = 'inbound/';
export const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;
export const MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024;

export type AutomatedKind = 'bounce' | 'complaint' | 'auto-reply';
export interface Automated {
  kind: AutomatedKind;
  reason: string;
}

/** An inbound message as Steward reads it: what the classification, threading and intake use of it. */
export interface ParsedMail {
  /** Every header by lower-case name, unfolded and undecoded; a repeated header's values joined with ", ". */
  headers: Map<string, string>;
  /** The first From address, lower-case as sent. */
  from?: string;
  subject?: string;
  /** In angle brackets, as threading and de-duplication have always keyed them. */
  messageId?: string;
  inReplyTo?: string;
  references: string[];
  /** The plain text, or the HTML's text when there is no plain part. */
  text?: string;
  attachments: { filename?: string; contentType: string; size: number; content: Buffer }[];
}

/** "<id@host>" whatever brackets the sender gave (mailparser's form, which stored dedup keys were made from). */
const bracketed = (value: string): string | undefined => {
  const id = value.trim();
  if (!id) return undefined;
  return `${id.startsWith('<') ? '' : '<'}${id}${id.endsWith('>') ? '' : '>'}`;
};

const firstAddress = (address: Address | undefined): string | undefined =>
  (address && ('group' in address && address.group ? address.group[0]?.address : address.address)) || undefined;

/**
 * Parses a raw message (postal-mime: no native code, Node's own decoders for every charset it
 * knows). Report parts (delivery status, feedback, the returned message) are attachments.
 */
export async function parseMail(raw: Buffer | Uint8Array): Promise<ParsedMail> {
  const email = await PostalMime.parse(raw, { attachmentEncoding: 'arraybuffer' });
  const headers = new Map<string, string>();
  for (const { key, value } of email.headers) headers.set(key, headers.has(key) ? `${headers.get(key)}, ${value}` : value);
  return {
    headers,
    from: firstAddress(email.from),
    subject: email.subject,
    messageId: email.messageId ? bracketed(email.messageId) : undefined,
    inReplyTo: email.inReplyTo ? bracketed(email.inReplyTo) : undefined,
    // Every References header, not only the first: a message may carry two.
    references: decodeWords(headers.get('references') ?? '')
      .split(/[\s,]+/)
      .flatMap((id) => bracketed(id) ?? []),
    text: email.text,
    attachments: email.attachments.map((attachment) => {
      const content = Buffer.from(attachment.content as ArrayBuffer);
      return { filename: attachment.filename ?? undefined, contentType: attachment.mimeType, size: content.length, content };
    }),
  };
}

const header = (mail: ParsedMail, name: string): string => mail.headers.get(name) ?? '';

/** The top-level Content-Type's value and the one parameter classification reads. */
const contentType = (mail: ParsedMail) => {
  const [value = '', ...params] = header(mail, 'content-type').split(';');
  const reportType = params.map((param) => /^\s*report-type\s*=\s*"?([^"\s]*)"?\s*$/i.exec(param)?.[1]).find(Boolean);
  return { value: value.trim().toLowerCase(), reportType: (reportType ?? '').toLowerCase() };
};
/** The sender: the From header's address, else the envelope sender. */
export const fromAddress = (mail: ParsedMail, envelopeSender = '') => (mail.from ?? envelopeSender).toLowerCase();
const bodyText = (mail: ParsedMail) =>
  `${mail.text ?? ''}\n${mail.attachments.map((a) => (a.contentType.startsWith('text/') || a.contentType.startsWith('message/') ? a.content.toString('utf8') : '')).join('\n')}`;

/** Subjects mail servers and clients use for auto-replies when they set no header (several languages). */
const AUTO_REPLY_SUBJECT =
  /^\s*(auto(matic|matische)?[\s_-]*(reply|response|respons|antwort)|autorespons|out of (the )?office|abwesenheit|r[ée]ponse automatique|respuesta autom[áa]tica|risposta automatica|vacation|on vacation|away until|away from)/i;
const BOUNCE_SUBJECT =
  /(undeliver|delivery status notification|delivery fail|failure notice|returned mail|mail delivery (failed|system)|bounce notification|nondeliverable|non-delivery)/i;
const DAEMON_SENDER = /^(mailer-daemon|postmaster|mail-daemon)@/i;

export function classifyAutomated(mail: ParsedMail): Automated | undefined {
  const { value: type, reportType } = contentType(mail);
  if (type === 'multipart/report' && reportType === 'delivery-status')
    return { kind: 'bounce', reason: 'multipart/report; report-type=delivery-status' };
  if (type === 'multipart/report' && reportType === 'feedback-report')
    return { kind: 'complaint', reason: 'multipart/report; report-type=feedback-report (ARF)' };
  const from = fromAddress(mail);
  // SES notifications delivered by email through SNS carry the SES JSON in the body.
  if (from === 'no-reply@sns.amazonaws.com') {
    const text = bodyText(mail);
    if (/\\?"notificationType\\?"\s*:\s*\\?"Bounce/.test(text)) return { kind: 'bounce', reason: 'SES bounce notification via SNS' };
    if (/\\?"notificationType\\?"\s*:\s*\\?"Complaint/.test(text))
      return { kind: 'complaint', reason: 'SES complaint notification via SNS' };
  }
  const subject = mail.subject ?? '';
  if (DAEMON_SENDER.test(from) && BOUNCE_SUBJECT.test(subject)) return { kind: 'bounce', reason: `bounce from ${from}` };
  if (/feedback-type:/i.test(header(mail, 'feedback-type'))) return { kind: 'complaint', reason: 'Feedback-Type header' };

  const autoSubmitted = header(mail, 'auto-submitted').toLowerCase();
  if (autoSubmitted && autoSubmitted !== 'no') return { kind: 'auto-reply', reason: `Auto-Submitted: ${autoSubmitted}` };
  for (const name of ['x-autoreply', 'x-autorespond', 'x-auto-response-suppress', 'x-apple-action']) {
    if (header(mail, name)) return { kind: 'auto-reply', reason: `${name} header` };
  }
  const precedence = header(mail, 'precedence').toLowerCase();
  if (['bulk', 'junk', 'list', 'auto_reply'].includes(precedence)) return { kind: 'auto-reply', reason: `Precedence: ${precedence}` };
  if (AUTO_REPLY_SUBJECT.test(subject)) return { kind: 'auto-reply', reason: `subject "${subject}"` };
  if (header(mail, 'return-path').replace(/\s/g, '') === '<>') return { kind: 'auto-reply', reason: 'null Return-Path' };
  return undefined;
}

/** The addresses a bounce or complaint is about (DSN Final-Recipient, ARF recipients, SES JSON). */
export function affectedRecipients(mail: ParsedMail): string[] {
  const text = bodyText(mail);
  const found = new Set<string>();
  const patterns = [
    /(?:Final|Original)-Recipient:\s*rfc822;\s*<?([^\s<>;]+@[^\s<>;]+)>?/gi,
    /(?:Original-Rcpt-To|Removal-Recipient):\s*<?([^\s<>;]+@[^\s<>;]+)>?/gi,
    /\\?"emailAddress\\?"\s*:\s*\\?"([^"\\]+@[^"\\]+)\\?"/g,
  ];
  for (const pattern of patterns) for (const match of text.matchAll(pattern)) found.add(match[1].toLowerCase());
  return [...found];
}

/** Message ids this message answers (In-Reply-To and References), without angle brackets. */
export function referencedIds(mail: ParsedMail): string[] {
  const ids = [mail.inReplyTo ?? '', ...mail.references];
  return [
    ...new Set(
      ids.flatMap((value) => value.match(/<[^<>\s]+>/g) ?? (value.trim() ? [value.trim()] : [])).map((id) => id.replace(/^<|>$/g, '')),
    ),
  ]
    .filter((id) => utf8Bytes(id) <= MAX_MESSAGE_ID_BYTES)
    .slice(-MAX_REFERENCED_IDS);
}

/**
 * Message-IDs longer than this are none of ours (SES's are about 60 bytes) and are not looked up;
 * RFC 5322 allows a line of 998 characters.
 */
const MAX_MESSAGE_ID_BYTES = 998;
/** The newest References a reply is threaded on (a long thread lists every ancestor). */
const MAX_REFERENCED_IDS = 50;

/**
 * A subject as an issue title: without reply and forward prefixes (Re:, Fwd:, AW:, WG:, SV:, RES:,
 * ENC:, TR:, …), Steward's subject tag and the words its own emails put before the title
 * ("[ISS-1002] Closed: Fibre link down" → "Fibre link down").
 */
export function titleFromSubject(subject: string): string {
  const prefix =
    /^\s*(?:(?:re|fwd?|aw|wg|sv|vs|antw|tr|res|enc|rv)\s*(?:\[\d+\])?\s*:|\[ISS-\d+\]|(?:closed|resolved|update|we are working on|escalated|revised reason for outage|estimated time of repair under review)\s*:)\s*/i;
  let title = subject;
  for (let previous = ''; previous !== title; ) {
    previous = title;
    title = title.replace(prefix, '');
  }
  return title.trim() || subject.trim();
}

/** The issue id in a subject tag like "Re: [ISS-1042] Update: …". */
export function subjectTag(subject: string | undefined): string | undefined {
  return /\[(ISS-\d+)\]/.exec(subject ?? '')?.[1];
}

/** The body a person wrote, without the quoted history below it (best effort, common markers). */
export function replyText(text: string): string {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const cut = lines.findIndex(
    (line) =>
      /^(On .+ wrote:|Am .+ schrieb .+:|-----\s*Original Message\s*-----|From: .+|Von: .+)$/.test(line.trim()) || line.startsWith('>'),
  );
  return (cut > 0 ? lines.slice(0, cut) : lines).join('\n').trim();
}
