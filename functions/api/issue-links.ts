import { ports } from '../../adapters/ports.ts';
import type { Customer } from '../../domain/customers.ts';
import { isUnresolved, issueEventSchema, type Issue, type IssueEvent } from '../../domain/issues.ts';
import { verifyLink, type IssueLinkAction, type LinkClaims } from '../../domain/links.ts';
import { ms } from '../../domain/policy.ts';
import { html, HttpError, validate, type ApiEvent, type ApiResult } from '../http.ts';
import { issueRepository, recordIssueEvent } from '../issue-service.ts';
import { issueActionForms, renderPage } from './link-page.ts';
import { asHttp } from '../service-errors.ts';

/** Checks a link's signature and expiry; a bad one gets a page saying so (400, or 410 when expired). */
export async function verifiedLink(event: ApiEvent): Promise<{ ok: true; claims: LinkClaims } | { ok: false; page: ApiResult }> {
  const check = verifyLink(event.pathParameters?.token ?? '', await ports().settings.linkKey(), ports().clock.now());
  if (check.ok) return check;
  return {
    ok: false,
    page: html(
      check.reason.includes('expired') ? 410 : 400,
      renderPage({
        title: 'Link not valid',
        paragraphs: [`Sorry, ${check.reason}. Please use the links in our latest email, or reply to it.`],
      }),
    ),
  };
}

/** Why a link cannot act on the issue as it is now, or undefined when it can. */
function linkBlocked(claims: LinkClaims, issue: Issue, customer: Customer): string | undefined {
  if (claims.a === 'escalate') {
    if (!isUnresolved(issue))
      return `Issue ${issue.id} is ${issue.status}; there is nothing to escalate. If the problem is back, reply to our last email.`;
    const last = issue.customerEscalations.at(-1);
    const cooldown = Date.parse(last?.at ?? '1970-01-01') + ms(issue.policy.customerEscalationCooldown);
    if (last && ports().clock.now().getTime() < cooldown) {
      return `You escalated this issue at ${last.at}; ${customer.team.serviceManager.name}, your service manager, is on it. You can escalate again from ${new Date(cooldown).toISOString()}.`;
    }
    return undefined;
  }
  const rfo = issue.rfo;
  if (rfo?.status === 'accepted' && rfo.revision === claims.r)
    return `This reason for outage was accepted on ${rfo.acceptedAt}. Issue ${issue.id} is closed.`;
  if (!rfo || rfo.revision !== claims.r || issue.status !== 'resolved')
    return `This link is for an older state of issue ${issue.id}: please use the links in our latest email.`;
  if (claims.a === 'dispute-rfo' && rfo.status === 'disputed')
    return `Your dispute of ${rfo.disputes.at(-1)?.at} was received; ${customer.team.serviceManager.name} will send you a revised reason for outage.`;
  return undefined;
}

async function issueAndCustomer(claims: LinkClaims): Promise<{ issue: Issue; customer: Customer } | ApiResult> {
  const repo = issueRepository();
  const issue = await repo.getIssue(claims.i);
  const customer = issue && (await repo.getCustomer(issue.customerId));
  if (!issue || !customer)
    return html(404, renderPage({ title: 'Issue not found', paragraphs: ['The issue this link belongs to no longer exists.'] }));
  return { issue, customer };
}

export async function issueLinkPage(claims: LinkClaims): Promise<ApiResult> {
  const found = await issueAndCustomer(claims);
  if (!('issue' in found)) return found;
  const { issue, customer } = found;
  const form = issueActionForms[claims.a as IssueLinkAction];
  const blocked = linkBlocked(claims, issue, customer);
  return html(
    200,
    renderPage({
      title: form.title,
      subject: issue.id,
      paragraphs: [`Issue ${issue.id}: ${issue.title}`, blocked ?? form.intro],
      rfo: claims.a !== 'escalate' && !blocked ? issue.rfo?.text : undefined,
      form: blocked ? undefined : form.form,
    }),
  );
}

export async function issueLinkAct(claims: LinkClaims, form: URLSearchParams): Promise<ApiResult> {
  const found = await issueAndCustomer(claims);
  if (!('issue' in found)) return found;
  const { issue, customer } = found;
  const action = claims.a as IssueLinkAction;
  const title = issueActionForms[action].title;
  const blocked = linkBlocked(claims, issue, customer);
  if (blocked) return html(409, renderPage({ title, subject: issue.id, paragraphs: [blocked] }));
  const comment = form.get('comment')?.trim() || undefined;
  const input: IssueEvent =
    action === 'accept-rfo'
      ? { type: 'accept-rfo', by: 'customer' }
      : action === 'dispute-rfo'
        ? validate({ type: 'dispute-rfo', comment }, issueEventSchema)
        : validate({ type: 'customer-escalate', comment }, issueEventSchema);
  try {
    await asHttp(() => recordIssueEvent(issue.id, input));
  } catch (error) {
    if (error instanceof HttpError && error.statusCode < 500)
      return html(error.statusCode, renderPage({ title, subject: issue.id, paragraphs: [error.message] }));
    throw error;
  }
  const done: Record<IssueLinkAction, string> = {
    'accept-rfo': `Thank you. You accepted the reason for outage; issue ${issue.id} is closed.`,
    'dispute-rfo': `Thank you. ${customer.team.serviceManager.name}, your service manager, has your comment and will send you a revised reason for outage.`,
    escalate: `Issue ${issue.id} is escalated. ${customer.team.serviceManager.name}, your service manager, has been informed and takes care of it; you will get a confirmation by email.`,
  };
  return html(200, renderPage({ title, subject: issue.id, paragraphs: [done[action]] }));
}
