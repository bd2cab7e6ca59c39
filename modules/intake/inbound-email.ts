import { createHash } from 'node:crypto';
import * as z from 'zod';
import { AuditLog, recordAudit } from '../../kernel/audit.ts';
import { clipText } from '../../kernel/bounds.ts';
import { DomainError } from '../../kernel/errors.ts';
import type { Deps } from '../../kernel/deps.ts';
import { emailIdFromBounceAddress, emailIdFromReplyAddress, issueFromReplyAddress } from '../../kernel/links.ts';
import { emailOfMessage, ownerOfEmail, recipientsOfBounced } from '../../kernel/email-channel.ts';
import { CustomerDirectory } from '../customers/index.ts';
import { InvalidTransition, IssueService } from '../issues/index.ts';
import { emailSeverity, mentionsBackup, PolicyRepository } from '../policies/index.ts';
import { recordCustomerReply } from '../receivables/index.ts';
import { inWords } from '../../kernel/time-words.ts';
import { AlertRepository } from './alert-repository.ts';
import {
  affectedRecipients,
  classifyAutomated,
  INBOUND_PREFIX,
  MAX_ATTACHMENT_BYTES,
  MAX_MESSAGE_BYTES,
  referencedIds,
  replyText,
  subjectTag,
  titleFromSubject,
  fromAddress,
  parseMail,
  type ParsedMail,
} from './inbound-mail.ts';
import { markUndeliverable } from './undeliverable.ts';
import { MailQuarantine } from './mail-quarantine.ts';

const verdict = z.object({ status: z.string().max(40) }).optional();
const sesEventSchema = z.object({
  Records: z
    .array(
      z.object({
        ses: z.object({
          mail: z.object({
            messageId: z.string().min(1).max(200),
            source: z.string().max(320).default(''),
            timestamp: z.iso.datetime({ offset: true }).optional(),
          }),
          receipt: z.object({
            recipients: z.array(z.string().max(320)).min(1).max(100),
            spamVerdict: verdict,
            virusVerdict: verdict,
            spfVerdict: verdict,
            dkimVerdict: verdict,
            dmarcVerdict: verdict,
          }),
        }),
      }),
    )
    .min(1),
});

type SesRecord = z.infer<typeof sesEventSchema>['Records'][number]['ses'];

export type InboundOutcome =
  | { outcome: 'opened' | 'reply' | 'reopened' | 'followed-up' | 'note'; issueId: string; duplicate?: boolean }
  | { outcome: 'ar-reply'; customerId: string; duplicate: boolean }
  | { outcome: 'auto-reply' | 'bounce' | 'complaint'; reason: string; undeliverable?: string[] }
  | { outcome: 'ignored'; reason: string }
  | { outcome: 'quarantined'; reason: string }
  | { outcome: 'refused'; reason: string };

/** How much of a customer's message its timeline entry keeps: a DynamoDB item holds at most 400 KB. */
export const MAX_MESSAGE_TEXT_CHARS = 50_000;
export const MAX_SUBJECT_CHARS = 1_000;
const clipMessage = (text: string, sesMessageId: string) =>
  text.length > MAX_MESSAGE_TEXT_CHARS
    ? `${text.slice(0, MAX_MESSAGE_TEXT_CHARS)}\n\n(cut at ${MAX_MESSAGE_TEXT_CHARS} characters: the whole message is kept in the mail bucket, SES message ${sesMessageId})`
    : text;
const sha = (data: string | Buffer) => createHash('sha256').update(data).digest('hex').slice(0, 32);
/** An email of ours that inbound mail quotes: its owner and key, or undefined for a Message-ID Steward did not send. */
type QuotedEmail = { owner: string; key: string } | undefined;
const refused = (reason: string): InboundOutcome => ({ outcome: 'refused', reason });

/**
 * A failure no retry will change: the message meets data it cannot go with (a refusal of the
 * domain that is not a race), or Steward fails on it (a TypeError, a RangeError, a schema). A
 * throttle, a network failure, a race or a timeout may pass, and is left to Lambda's retries.
 */
function isLasting(error: unknown): boolean {
  if (error instanceof DomainError) return error.kind !== 'conflict' || !/concurrently/.test(error.message);
  if (error instanceof TypeError) return !/fetch failed|network/i.test(error.message);
  return error instanceof RangeError || error instanceof SyntaxError || (error as Error | undefined)?.name === 'ZodError';
}

export type InboundEmailDeps = Pick<Deps, 'store' | 'mailer' | 'clock' | 'workflows' | 'settings' | 'blobs' | 'telemetry'>;

/**
 * Inbound mail (SES receipt rule → S3 → this Lambda; locally SMTP → data folder → the same event).
 * Machine-written mail never opens or changes an issue; a reply joins its issue; a new message
 * from a known customer opens one. Nothing is stored for refused mail.
 */
export function inboundEmail(deps: InboundEmailDeps): (event: unknown) => Promise<InboundOutcome> {
  const service = new IssueService(deps);
  const customers = new CustomerDirectory(deps.store);
  const audit = new AuditLog(deps.store, deps.clock);

  /** What a customer's mail wrote, in the audit trail (a redelivery wrote nothing). */
  async function audited<O extends InboundOutcome & { duplicate?: boolean }>(outcome: O, from: string): Promise<O> {
    if (!outcome.duplicate)
      await recordAudit(audit, deps.telemetry, {
        actor: { kind: 'email', id: from },
        action: 'inbound email',
        target: {
          ...('issueId' in outcome ? { issueId: outcome.issueId } : {}),
          ...('customerId' in outcome ? { customerId: outcome.customerId } : {}),
        },
        type: outcome.outcome,
      });
    return outcome;
  }

  async function receive(ses: SesRecord): Promise<InboundOutcome> {
    const { settings, blobs } = deps;
    const { spamVerdict, virusVerdict } = ses.receipt;
    if (spamVerdict?.status === 'FAIL' || virusVerdict?.status === 'FAIL') {
      // Set aside unread (a virus is not parsed); the raw message stays in the mail bucket for a person to look at.
      await new MailQuarantine(deps.store).setAside({
        sesMessageId: ses.mail.messageId,
        receivedAt: ses.mail.timestamp ?? deps.clock.now().toISOString(),
        source: ses.mail.source,
        recipients: ses.receipt.recipients,
        spamVerdict: spamVerdict?.status,
        virusVerdict: virusVerdict?.status,
      });
      return { outcome: 'quarantined', reason: `${virusVerdict?.status === 'FAIL' ? 'virus' : 'spam'} verdict FAIL: set aside` };
    }
    const raw = await blobs.get(`${INBOUND_PREFIX}${ses.mail.messageId}`);
    if (!raw) throw new Error(`raw message ${INBOUND_PREFIX}${ses.mail.messageId} is not in the store yet`);
    if (raw.length > MAX_MESSAGE_BYTES) return refused(`message is ${raw.length} bytes; the limit is ${MAX_MESSAGE_BYTES}`);
    const recipients = ses.receipt.recipients.map((address) => address.toLowerCase());
    const keys = await settings.linkKeys();
    const inbound = settings.inboundAddress.toLowerCase();
    const [inboundLocal, inboundDomain] = inbound.split('@');
    const ours = recipients.filter(
      (address) => address === inbound || (address.startsWith(`${inboundLocal}+`) && address.endsWith(`@${inboundDomain}`)),
    );
    if (!ours.length) return refused(`not addressed to ${settings.inboundAddress}`);

    const mail = await parseMail(raw);
    const tooBig = mail.attachments.find((attachment) => attachment.size > MAX_ATTACHMENT_BYTES);
    if (tooBig)
      return refused(`attachment "${tooBig.filename ?? tooBig.contentType}" is ${tooBig.size} bytes; the limit is ${MAX_ATTACHMENT_BYTES}`);

    const automated = classifyAutomated(mail);
    if (automated) {
      if (automated.kind === 'auto-reply') return { outcome: 'auto-reply', reason: automated.reason };
      // Anyone can write a DSN: only one sent to the signed bounce address of an email we sent counts,
      // and only for that email's recipients.
      const emailId = ours.map((address) => emailIdFromBounceAddress(address, inbound, keys)).find(Boolean);
      const sentTo = emailId && (await recipientsOfBounced(deps.store, emailId));
      if (!sentTo) {
        const reason = `${automated.kind} report from ${fromAddress(mail, ses.mail.source)} not sent to a signed bounce address: ignored`;
        deps.telemetry.warn(reason, { recipients: recipients.join(', ') });
        return { outcome: 'ignored', reason };
      }
      const affected = affectedRecipients(mail).filter((address) => sentTo.includes(address));
      const undeliverable = await markUndeliverable(deps, affected, automated.kind, ses.mail.messageId);
      return { outcome: automated.kind, reason: automated.reason, undeliverable };
    }

    const from = fromAddress(mail, ses.mail.source).slice(0, 320);
    const dedupKey = sha(mail.messageId ?? raw);
    const authFailed =
      [ses.receipt.spfVerdict, ses.receipt.dkimVerdict, ses.receipt.dmarcVerdict].filter((v) => v?.status === 'FAIL').length > 0;
    // The emails of ours this mail quotes (In-Reply-To, References), read once and only when asked for.
    let quotedRead: Promise<QuotedEmail[]> | undefined;
    const quoted = () => (quotedRead ??= Promise.all(referencedIds(mail).map((id) => emailOfMessage(deps.store, id.split('@')[0]))));
    const threadId = await threadOf(mail, ours, from, keys, inbound, quoted);
    const text = clipMessage((replyText(mail.text ?? '') || mail.text || '').trim(), ses.mail.messageId);
    const actor = { kind: 'email', id: from } as const;
    const answered = threadId ? undefined : await dunningEmailAnswered(ours, keys, inbound, quoted);
    if (answered) {
      if (authFailed) return refused('SPF/DKIM/DMARC verdict FAIL: not recorded');
      const reply = { from, subject: (mail.subject ?? '').slice(0, MAX_SUBJECT_CHARS), text: text || '(no text)', answers: answered.key };
      const { duplicate } = await recordCustomerReply(deps, answered.customerId, reply, dedupKey);
      return audited({ outcome: 'ar-reply', customerId: answered.customerId, duplicate }, from);
    }
    const thread = threadId && !authFailed ? await service.messageTarget(threadId, { text }) : undefined;
    if (threadId && thread?.target !== 'follow-up') {
      // Mail that failed SPF/DKIM/DMARC may be recorded, never acted on: a note, and the owner is not emailed.
      if (authFailed) {
        const note = `Unverified email (SPF/DKIM/DMARC failed) from ${from}: ${mail.subject ?? ''}\n\n${text}`.slice(0, 10_000);
        const { duplicate } = await service.record(threadId, { type: 'note', message: note, eventId: `mail-${dedupKey}` }, actor);
        return audited({ outcome: 'note', issueId: threadId, duplicate }, from);
      }
      if (thread?.target === 'reopen') await reopenFor(threadId, mail.subject ?? '', dedupKey, actor);
      const { duplicate } = await service.record(
        threadId,
        {
          type: 'customer-message',
          from,
          subject: (mail.subject ?? '').slice(0, MAX_SUBJECT_CHARS),
          text: text || '(no text)',
          messageId: mail.messageId?.slice(0, 1_000),
          eventId: `mail-${dedupKey}`,
        },
        actor,
      );
      return audited({ outcome: thread?.target === 'reopen' ? 'reopened' : 'reply', issueId: threadId, duplicate }, from);
    }
    if (authFailed) return refused('SPF/DKIM/DMARC verdict FAIL: not opened');

    const repo = service.issues;
    // Mail to an issue closed too long ago opens a new issue for that issue's customer, following it.
    const follows = thread?.target === 'follow-up' ? thread.issue : undefined;
    let customer = follows ? await customers.getCustomer(follows.customerId) : await customers.customerBySender(from);
    const unknown = settings.unknownSender;
    const triage = customer ? undefined : `the sender ${from || '(none)'} is not a contact or domain of any customer.`;
    if (!customer && unknown !== 'refuse') customer = await customers.triageCustomer(unknown, deps.clock.now());
    if (!customer) return refused(`sender ${from || '(none)'} is not a contact or domain of any customer`);

    // One issue per message even when it is delivered twice, at once or later: the message's id claims
    // an issue id first, and whoever finds the claim without its issue opens it with that id.
    const issueId = await new AlertRepository(deps.store).claimedIssueId('email', dedupKey, () => repo.nextIssueId(), deps.clock.now());
    if (await repo.getIssue(issueId)) return { outcome: 'opened', issueId, duplicate: true };
    const policy = await new PolicyRepository(deps.store).current(customer.policy);
    const subject = (mail.subject ?? '').trim() || '(no subject)';
    const attachments = mail.attachments.map((attachment) => `${attachment.filename ?? attachment.contentType} (${attachment.size} bytes)`);
    const followsLine = follows
      ? `Follows up on ${follows.id} "${follows.title}", closed ${inWords(follows.closedAt, customer.timezone)}.`
      : '';
    const { issue, created } = await service.openOnce(
      {
        customerId: customer.id,
        // A follow-up keeps the title of the issue it follows; a new issue's title is its subject without Re:, tags and our own words.
        title: (follows ? follows.title : titleFromSubject(subject)).slice(0, 300),
        description: [followsLine, mail.text?.trim() ?? '', attachments.length ? `Attachments: ${attachments.join(', ')}` : '']
          .filter(Boolean)
          .join('\n\n')
          .slice(0, 20_000),
        severity: policy ? emailSeverity(policy, subject, mail.text ?? '') : 'sev3',
        impact: '',
        runningOnBackup: policy ? mentionsBackup(policy.email, subject, mail.text ?? '') : false,
        source: 'email',
        origin: {
          from,
          sesMessageId: ses.mail.messageId,
          ...(mail.messageId ? { messageId: mail.messageId.slice(0, 2_000) } : {}),
          ...(follows ? { follows: follows.id } : {}),
          ...(triage ? { triage } : {}),
        },
      },
      { id: issueId, eventIds: [`mail-${dedupKey}`], actor },
    );
    if (!created) return { outcome: 'opened', issueId, duplicate: true };
    if (follows)
      await service.record(
        follows.id,
        { type: 'note', message: `The customer wrote again; followed up by ${issue.id}.`, eventId: `follow-${dedupKey}` },
        actor,
      );
    return audited({ outcome: follows ? 'followed-up' : 'opened', issueId: issue.id }, from);
  }

  /** Reopens a closed issue for a customer's message (once per message); someone who reopened it first is as good. */
  async function reopenFor(issueId: string, subject: string, dedupKey: string, actor: { kind: 'email'; id: string }): Promise<void> {
    try {
      await service.record(
        issueId,
        { type: 'reopen', reason: `the customer wrote: ${subject}`.slice(0, 2_000), eventId: `reopen-${dedupKey}` },
        actor,
      );
    } catch (error) {
      if (!(error instanceof InvalidTransition)) throw error;
    }
  }

  /** The customer and email key of a dunning email this mail answers: by its signed reply address, then by the SES Message-IDs it quotes. */
  async function dunningEmailAnswered(
    recipients: string[],
    keys: string[],
    inbound: string,
    quoted: () => Promise<QuotedEmail[]>,
  ): Promise<{ customerId: string; key: string } | undefined> {
    const store = service.issues.store;
    const owners = [];
    for (const address of recipients) {
      const emailId = emailIdFromReplyAddress(address, inbound, keys);
      if (emailId) owners.push(await ownerOfEmail(store, emailId));
    }
    owners.push(...(await quoted()));
    const found = owners.find((pointer) => pointer?.owner.startsWith('CUSTOMER#'));
    return found && { customerId: found.owner.slice('CUSTOMER#'.length), key: found.key };
  }

  /** Signed plus-address first, then the SES Message-IDs it answers, then the subject tag from the issue's own customer. */
  async function threadOf(
    mail: ParsedMail,
    recipients: string[],
    from: string,
    keys: string[],
    inbound: string,
    quoted: () => Promise<QuotedEmail[]>,
  ): Promise<string | undefined> {
    const repo = service.issues;
    for (const address of recipients) {
      const issueId = issueFromReplyAddress(address, inbound, keys);
      if (issueId && (await repo.getIssue(issueId))) return issueId;
    }
    const quotedIssue = (await quoted()).find((email) => email?.owner.startsWith('ISSUE#'));
    if (quotedIssue) return quotedIssue.owner.slice('ISSUE#'.length);
    const tagged = subjectTag(mail.subject);
    if (tagged) {
      const issue = await repo.getIssue(tagged);
      const sender = await customers.customerBySender(from);
      if (issue && sender && sender.id === issue.customerId) return issue.id;
    }
    return undefined;
  }

  /**
   * A message that could not be stored where it belongs, for a reason no retry will change (data it
   * meets that it cannot go with, a fault of Steward's): rather than leave it to the failed events
   * only, it opens an issue of its own for the sender's customer (or the triage customer) with what
   * could be read, and says where the whole message is kept. Once per message. Throws the first
   * error when even that cannot be done (no customer to file it under): then Lambda retries it and
   * it waits in the failed events.
   */
  async function receiveUnreadable(ses: SesRecord, failure: unknown): Promise<InboundOutcome> {
    const key = `${INBOUND_PREFIX}${ses.mail.messageId}`;
    const raw = await deps.blobs.get(key);
    const mail = raw ? await parseMail(raw).catch(() => undefined) : undefined;
    const from = (mail ? fromAddress(mail, ses.mail.source) : ses.mail.source.toLowerCase()).slice(0, 320);
    const unknown = deps.settings.unknownSender;
    const customer =
      (await customers.customerBySender(from)) ??
      (unknown === 'refuse' ? undefined : await customers.triageCustomer(unknown, deps.clock.now()));
    if (!customer) throw failure;
    const dedupKey = `unreadable-${sha(ses.mail.messageId)}`;
    const issueId = await new AlertRepository(deps.store).claimedIssueId(
      'email',
      dedupKey,
      () => service.issues.nextIssueId(),
      deps.clock.now(),
    );
    const subject = titleFromSubject((mail?.subject ?? '').trim()) || '(no subject)';
    const reason = failure instanceof Error ? failure.message.slice(0, 300) : 'an unknown failure';
    const { issue, created } = await service.openOnce(
      {
        customerId: customer.id,
        title: clipText(`Email from ${from || 'an unknown sender'} that could not be filed: ${subject}`, 300),
        description: clipText(
          [
            `Steward could not add this email where it belongs (${reason}). What could be read is below; the whole message is kept in the mail bucket as ${key}.`,
            (mail?.text ?? '').trim(),
          ]
            .filter(Boolean)
            .join('\n\n'),
          20_000,
        ),
        severity: 'sev3',
        impact: '',
        runningOnBackup: false,
        source: 'email',
        origin: { from, sesMessageId: ses.mail.messageId, unreadable: reason },
      },
      { id: issueId, eventIds: [dedupKey], actor: { kind: 'email', id: from } },
    );
    deps.telemetry.error('inbound email could not be filed where it belongs; opened an issue with what could be read', failure, {
      issueId: issue.id,
      customerId: customer.id,
    });
    return { outcome: 'opened', issueId: issue.id, ...(created ? {} : { duplicate: true }) };
  }

  /** Refused mail leaves nothing behind: its raw message is deleted from the bucket. */
  return async (event: unknown): Promise<InboundOutcome> => {
    const { ses } = sesEventSchema.parse(event).Records[0];
    deps.telemetry.annotate({ sesMessageId: ses.mail.messageId });
    let outcome: InboundOutcome;
    try {
      outcome = await receive(ses);
    } catch (error) {
      if (!isLasting(error)) throw error;
      outcome = await receiveUnreadable(ses, error);
    }
    if (outcome.outcome === 'refused') await deps.blobs.delete(`${INBOUND_PREFIX}${ses.mail.messageId}`);
    const {
      outcome: what,
      reason,
      issueId,
      customerId,
    } = outcome as { outcome: string; reason?: string; issueId?: string; customerId?: string };
    deps.telemetry.count(what === 'quarantined' ? 'MailQuarantined' : 'MailReceived');
    deps.telemetry.info('inbound email', { outcome: what, reason, issueId, customerId });
    return outcome;
  };
}
