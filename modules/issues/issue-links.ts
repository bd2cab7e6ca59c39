import type { Actor } from '../../kernel/actor.ts';
import { AuditLog } from '../../kernel/audit.ts';
import type { Deps } from '../../kernel/deps.ts';
import { asHttpError, validate, type ApiResult } from '../../kernel/http.ts';
import { htmlPage } from '../../kernel/link-page.ts';
import type { LinkClaims } from '../../kernel/links.ts';
import { issueActionForms, type IssueLinkAction } from './issue-link-actions.ts';
import type { Customer } from '../customers/index.ts';
import { ms } from '../policies/index.ts';
import { inWords } from '../../kernel/time-words.ts';
import { isUnresolved, type Issue, type IssueEvent } from './issue.ts';
import { issueEventSchema } from './issue-schemas.ts';
import type { IssueService } from './issue-service.ts';

/** Why a link cannot act on the issue as it is now, or undefined when it can. */
function linkBlocked(claims: LinkClaims, issue: Issue, customer: Customer, now: Date): string | undefined {
  if (claims.a === 'escalate') {
    if (!isUnresolved(issue))
      return `Issue ${issue.id} is ${issue.status}; there is nothing to escalate. If the problem is back, reply to our last email.`;
    const last = issue.customerEscalations.at(-1);
    const cooldown = Date.parse(last?.at ?? '1970-01-01') + ms(issue.policy.customerEscalationCooldown);
    if (last && now.getTime() < cooldown) {
      const zone = customer.timezone;
      return `You escalated this issue on ${inWords(last.at, zone)}; ${customer.team.serviceManager.name}, your service manager, is on it. You can escalate again from ${inWords(new Date(cooldown).toISOString(), zone)}.`;
    }
    return undefined;
  }
  const rfo = issue.rfo;
  if (rfo?.status === 'accepted' && rfo.revision === claims.r)
    return `This reason for outage was accepted on ${inWords(rfo.acceptedAt, customer.timezone)}. Issue ${issue.id} is closed.`;
  if (!rfo || rfo.revision !== claims.r || issue.status !== 'resolved')
    return `This link is for an older state of issue ${issue.id}: please use the links in our latest email.`;
  if (claims.a === 'dispute-rfo' && rfo.status === 'disputed')
    return `Your dispute of ${inWords(rfo.disputes.at(-1)?.at, customer.timezone)} was received; ${customer.team.serviceManager.name} will send you a revised reason for outage.`;
  return undefined;
}

/** The pages and actions of the customer links that act on an issue (accept or dispute the RFO, escalate). */
export class IssueLinks {
  constructor(
    private readonly service: IssueService,
    private readonly deps: Pick<Deps, 'clock' | 'store'>,
  ) {}

  private async issueAndCustomer(claims: LinkClaims): Promise<{ issue: Issue; customer: Customer } | ApiResult> {
    const issue = await this.service.issues.getIssue(claims.i);
    const customer = issue && (await this.service.customers.getCustomer(issue.customerId));
    if (!issue || !customer)
      return await htmlPage(404, { title: 'Issue not found', paragraphs: ['The issue this link belongs to no longer exists.'] });
    return { issue, customer };
  }

  keys(claims: LinkClaims) {
    return { issueId: claims.i };
  }

  async page(claims: LinkClaims): Promise<ApiResult> {
    const found = await this.issueAndCustomer(claims);
    if (!('issue' in found)) return found;
    const { issue, customer } = found;
    const form = issueActionForms[claims.a as IssueLinkAction];
    const blocked = linkBlocked(claims, issue, customer, this.deps.clock.now());
    return htmlPage(200, {
      title: form.title,
      subject: issue.id,
      paragraphs: [`Issue ${issue.id}: ${issue.title}`, blocked ?? form.intro],
      rfo: claims.a !== 'escalate' && !blocked ? issue.rfo?.text : undefined,
      form: blocked ? undefined : form.form,
    });
  }

  /**
   * A link acts once: its event carries the link's id, so the same link posted twice at once
   * records one event (posted later, the issue's state refuses it). An escalation link may be used
   * again once its cooldown has passed (the customer's lever while an issue drags on), so its id
   * also counts the escalations so far.
   */
  async act(claims: LinkClaims, form: URLSearchParams, linkId: string): Promise<ApiResult> {
    const found = await this.issueAndCustomer(claims);
    if (!('issue' in found)) return found;
    const { issue, customer } = found;
    const action = claims.a as IssueLinkAction;
    const title = issueActionForms[action].title;
    const eventId = action === 'escalate' ? `link-${linkId}-${issue.customerEscalations.length}` : `link-${linkId}`;
    const alreadyDone = () =>
      htmlPage(200, { title, subject: issue.id, paragraphs: ['This link has been used already; nothing more to do. Thank you.'] });
    const blocked = linkBlocked(claims, issue, customer, this.deps.clock.now());
    if (blocked) return await htmlPage(409, { title, subject: issue.id, paragraphs: [blocked] });
    const comment = form.get('comment')?.trim() || undefined;
    const input: IssueEvent =
      action === 'accept-rfo'
        ? { type: 'accept-rfo', by: 'customer', eventId }
        : action === 'dispute-rfo'
          ? validate({ type: 'dispute-rfo', comment, eventId }, issueEventSchema)
          : validate({ type: 'customer-escalate', comment, eventId }, issueEventSchema);
    const actor: Actor = { kind: 'customer-link', id: customer.id, name: customer.name };
    try {
      const { duplicate } = await this.service.record(issue.id, input, actor);
      if (duplicate) return alreadyDone();
      await new AuditLog(this.deps.store, this.deps.clock).record({
        actor,
        action: `link ${action}`,
        target: { issueId: issue.id, customerId: customer.id },
        type: input.type,
      });
    } catch (error) {
      const known = asHttpError(error);
      if (known && known.statusCode < 500)
        return await htmlPage(known.statusCode, { title, subject: issue.id, paragraphs: [known.message] });
      throw error;
    }
    const done: Record<IssueLinkAction, string> = {
      'accept-rfo': `Thank you. You accepted the reason for outage; issue ${issue.id} is closed.`,
      'dispute-rfo': `Thank you. ${customer.team.serviceManager.name}, your service manager, has your comment and will send you a revised reason for outage.`,
      escalate: `Issue ${issue.id} is escalated. ${customer.team.serviceManager.name}, your service manager, has been informed and takes care of it; you will get a confirmation by email.`,
    };
    return await htmlPage(200, { title, subject: issue.id, paragraphs: [done[action]] });
  }
}
