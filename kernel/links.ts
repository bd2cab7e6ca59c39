import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * What a signed link says. Its action is one of the module's that signed it (its manifest's
 * `linkActions`), and `i` the id that module's links are bound to (an issue, a customer).
 */
export interface LinkClaims {
  /** The issue's id, or the customer's for money links. */
  i: string;
  a: string;
  /** RFO revision (RFO links) or approval round (suspension links): a newer one makes the link stale. */
  r?: number;
  /** Approval links: the dunning cycle's anchor due date. */
  d?: string;
  /** Expiry, epoch seconds. */
  e: number;
}

/** `linkId` names one link (a digest of its signature): what it did is recorded under it, so it acts once. */
export type LinkCheck = { ok: true; claims: LinkClaims; linkId: string } | { ok: false; reason: string };

const b64 = (data: Buffer | string) => Buffer.from(data).toString('base64url');
const mac = (key: string, payload: string) => createHmac('sha256', key).update(payload).digest();

/**
 * The link-signing key Steward derived from the API secret before links had a secret of their own:
 * links and addresses signed with it verify only while a deploy accepts them (ACCEPT_LEGACY_LINKS_UNTIL).
 */
export const legacyLinkKey = (apiSecret: string) => createHmac('sha256', apiSecret).update('steward customer links v1').digest('hex');

/**
 * An email's text with every signed customer link's token hidden, for staff screens: a link acts
 * as the customer (escalate, accept or dispute an RFO, promise to pay), and a person who may only
 * read an issue must not be able to act as its customer by clicking it.
 */
export const withoutLinkTokens = (text: string) => text.replace(/\/links\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/g, '/links/(signed link, hidden)');

export function signLink(claims: LinkClaims, key: string): string {
  const payload = b64(JSON.stringify(claims));
  return `${payload}.${b64(mac(key, payload))}`;
}

/**
 * Keys that verify: the current one first, then those rotated out but still within their grace
 * period. Signing always uses the current key alone.
 */
export type VerifyingKeys = string | readonly string[];
const each = (keys: VerifyingKeys): readonly string[] => (typeof keys === 'string' ? [keys] : keys);
const sameBytes = (given: Buffer, expected: Buffer) => given.length === expected.length && timingSafeEqual(given, expected);

export function verifyLink(token: string, keys: VerifyingKeys, now: Date): LinkCheck {
  const [payload, signature, extra] = token.split('.');
  if (!payload || !signature || extra !== undefined) return { ok: false, reason: 'this link is not valid' };
  const given = Buffer.from(signature, 'base64url');
  // Only the exact encoding Steward wrote: base64url decoding skips junk ("=", "!", a trailing
  // character), and the link's id is a digest of this text, so a variant would act a second time.
  if (given.toString('base64url') !== signature) return { ok: false, reason: 'this link is not valid' };
  if (!each(keys).some((key) => sameBytes(given, mac(key, payload)))) return { ok: false, reason: 'this link is not valid' };
  let claims: LinkClaims;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as LinkClaims;
  } catch {
    return { ok: false, reason: 'this link is not valid' };
  }
  if (typeof claims.a !== 'string' || typeof claims.i !== 'string') return { ok: false, reason: 'this link is not valid' };
  if (claims.e * 1000 < now.getTime()) return { ok: false, reason: 'this link has expired' };
  return { ok: true, claims, linkId: createHash('sha256').update(signature).digest('hex').slice(0, 32) };
}

/** What a signed per-email address is for: its bounces (VERP) or its replies. */
type EmailAddressKind = 'bounce' | 're';
const emailTag = (kind: EmailAddressKind, emailId: string, key: string) =>
  createHmac('sha256', key)
    .update(`${kind === 'bounce' ? 'bounce' : 'reply-email'}:${emailId}`)
    .digest('hex')
    .slice(0, 12);

function signedEmailAddress(kind: EmailAddressKind, inboundAddress: string, emailId: string, key: string): string {
  const [local, domain] = inboundAddress.split('@');
  return `${local}+${kind}-${emailId}.${emailTag(kind, emailId, key)}@${domain}`;
}

function emailIdFrom(kind: EmailAddressKind, address: string, inboundAddress: string, keys: VerifyingKeys): string | undefined {
  const [local, domain] = inboundAddress.toLowerCase().split('@');
  const match = new RegExp(`^([^+@]+)\\+${kind}-([0-9a-f]{20})\\.([0-9a-f]{12})@(.+)$`, 'i').exec(address.trim());
  if (!match || match[1].toLowerCase() !== local || match[4].toLowerCase() !== domain) return undefined;
  const emailId = match[2].toLowerCase();
  const given = Buffer.from(match[3].toLowerCase());
  return each(keys).some((key) => sameBytes(given, Buffer.from(emailTag(kind, emailId, key)))) ? emailId : undefined;
}

/**
 * The signed bounce address (VERP) of one email Steward sends: support+bounce-<emailId>.<tag>@domain.
 * Only a bounce or complaint sent to a valid one can mark a contact undeliverable.
 */
export const bounceAddress = (inboundAddress: string, emailId: string, key: string) =>
  signedEmailAddress('bounce', inboundAddress, emailId, key);

/** The email a signed bounce address names, or undefined (not one of ours, or a bad tag). */
export const emailIdFromBounceAddress = (address: string, inboundAddress: string, keys: VerifyingKeys) =>
  emailIdFrom('bounce', address, inboundAddress, keys);

/** The signed Reply-To of one email that is not about an issue (dunning): support+re-<emailId>.<tag>@domain. */
export const emailReplyAddress = (inboundAddress: string, emailId: string, key: string) =>
  signedEmailAddress('re', inboundAddress, emailId, key);

/** The email a signed reply address names, or undefined (not one of ours, or a bad tag). */
export const emailIdFromReplyAddress = (address: string, inboundAddress: string, keys: VerifyingKeys) =>
  emailIdFrom('re', address, inboundAddress, keys);

const replyTag = (issueId: string, key: string) => createHmac('sha256', key).update(`reply:${issueId}`).digest('hex').slice(0, 12);

/** The signed plus-address customers reply to: support+ISS-1042.<tag>@domain. */
export function replyAddress(inboundAddress: string, issueId: string, key: string): string {
  const [local, domain] = inboundAddress.split('@');
  return `${local}+${issueId}.${replyTag(issueId, key)}@${domain}`;
}

/** The issue a signed plus-address names, or undefined (not a plus-address of ours, or a bad tag). */
export function issueFromReplyAddress(address: string, inboundAddress: string, keys: VerifyingKeys): string | undefined {
  const [local, domain] = inboundAddress.toLowerCase().split('@');
  const match = /^([^+@]+)\+(ISS-\d+)\.([0-9a-f]{12})@(.+)$/i.exec(address.trim());
  if (!match || match[1].toLowerCase() !== local || match[4].toLowerCase() !== domain) return undefined;
  const issueId = match[2].toUpperCase();
  const given = Buffer.from(match[3].toLowerCase());
  return each(keys).some((key) => sameBytes(given, Buffer.from(replyTag(issueId, key)))) ? issueId : undefined;
}
