import Handlebars from 'handlebars';
import { counted, dayInWords, shortDay } from './time-words.ts';
import { moneyInWords } from './money-words.ts';

/**
 * Text and HTML bodies per template, rendered with Handlebars (the HTML escapes by default).
 * Customer emails end with the escalation link while the issue is unresolved; RFO emails carry the
 * accept and dispute links. Internal emails carry the context a person needs to act at once.
 */
const hb = Handlebars.create();

hb.registerPartial(
  'footerText',
  `{{#if links.escalate}}

Not happy with how this is going? Escalate to our management: {{links.escalate}}{{/if}}

-- Steward, on behalf of {{customer.team.serviceManager.name}}`,
);
hb.registerPartial(
  'footerHtml',
  `{{#if links.escalate}}<p style="font-size:smaller">Not happy with how this is going? <a href="{{links.escalate}}">Escalate to our management</a>.</p>{{/if}}
<p>-- Steward, on behalf of {{customer.team.serviceManager.name}}</p>`,
);
hb.registerPartial(
  'rfoText',
  `Reason for outage (revision {{rfoRevision}}):
{{issue.rfo.text}}

Accept this reason for outage: {{links.accept}}
Dispute it (tell us what is wrong): {{links.dispute}}
Without an answer we take it as accepted after {{autoAcceptAfter}}.`,
);
hb.registerPartial(
  'rfoHtml',
  `<h3>Reason for outage (revision {{rfoRevision}})</h3><p style="white-space:pre-wrap">{{issue.rfo.text}}</p>
<p><a href="{{links.accept}}">Accept</a> · <a href="{{links.dispute}}">Dispute</a></p>
<p style="font-size:smaller">Without an answer we take it as accepted after {{autoAcceptAfter}}.</p>`,
);
hb.registerPartial(
  'contextText',
  `Customer: {{customer.name}} ({{customer.tier}} tier)
Title:    {{issue.title}}
Severity: {{issue.severity}}
Status:   {{issue.status}}
Opened:   {{openedAt}}
{{#if issue.impact}}Impact:   {{issue.impact}}
{{/if}}ETR:      {{#if etr}}{{etr}}{{else}}none given{{/if}}

Customer history, last 90 days: {{counted history.recentIssues "issue"}}, {{history.openIssues}} of them still open.
Last told the customer: {{#if lastTold}}"{{lastTold.subject}}" on {{lastToldAt}}{{else}}nothing yet{{/if}}.`,
);
hb.registerPartial(
  'contextHtml',
  `<table>
<tr><td>Customer</td><td>{{customer.name}} ({{customer.tier}} tier)</td></tr>
<tr><td>Title</td><td>{{issue.title}}</td></tr>
<tr><td>Severity</td><td>{{issue.severity}}</td></tr>
<tr><td>Status</td><td>{{issue.status}}</td></tr>
<tr><td>Opened</td><td>{{openedAt}}</td></tr>
{{#if issue.impact}}<tr><td>Impact</td><td>{{issue.impact}}</td></tr>{{/if}}
<tr><td>ETR</td><td>{{#if etr}}{{etr}}{{else}}none given{{/if}}</td></tr>
</table>
<p>Customer history, last 90 days: {{counted history.recentIssues "issue"}}, {{history.openIssues}} of them still open.</p>
<p>Last told the customer: {{#if lastTold}}"{{lastTold.subject}}" on {{lastToldAt}}{{else}}nothing yet{{/if}}.</p>`,
);

hb.registerPartial(
  'invoicesText',
  `{{#each invoices}}  {{id}}  due {{shortDay dueDate}}  {{#if age}}{{overdue}} overdue{{else}}not yet due{{/if}}  {{money balance currency}}
{{/each}}  Total: {{#each totals}}{{money amount currency}}{{#unless @last}}, {{/unless}}{{/each}}
`,
);
hb.registerPartial(
  'invoicesHtml',
  `<table><tr><th>Invoice</th><th>Due</th><th>Age</th><th>Open</th></tr>
{{#each invoices}}<tr><td>{{id}}</td><td>{{shortDay dueDate}}</td><td>{{#if age}}{{overdue}}{{else}}not yet due{{/if}}</td><td>{{money balance currency}}</td></tr>
{{/each}}</table><p><strong>Total: {{#each totals}}{{money amount currency}}{{#unless @last}}, {{/unless}}{{/each}}</strong></p>`,
);
hb.registerPartial('moneyFooterText', `-- Steward, on behalf of {{customer.team.serviceManager.name}}`);

/** Body text per template; the HTML is the same paragraphs with the HTML partials. */
const sources = {
  acknowledgement: {
    subject: '[{{issue.id}}] We are working on: {{issue.title}}',
    body: `{{#if issue.reopenCount}}we have reopened issue {{issue.id}} "{{issue.title}}" (severity {{issue.severity}}) and are working on it again.{{else if (eq issue.source "webhook")}}our monitoring detected a problem: "{{issue.title}}" ({{issue.id}}, severity {{issue.severity}}). We are working on it.{{else}}we have received your issue "{{issue.title}}" ({{issue.id}}, severity {{issue.severity}}) and are working on it.{{/if}}
You will hear from us again by {{nextUpdateAt}} at the latest.`,
  },
  'status-update': {
    subject: '[{{issue.id}}] Update: {{issue.title}}',
    body: `an update on issue {{issue.id}} "{{issue.title}}":

{{#if etrMovedFrom}}We have moved the estimated time of repair from {{etrMovedFrom}} to {{etr}}. Why: {{update.message}}{{else}}{{update.message}}{{/if}}

{{#if etr}}Estimated time of repair: {{etr}}.
{{/if}}Next update by {{nextUpdateAt}} at the latest.`,
  },
  'holding-update': {
    subject: '[{{issue.id}}] Update: {{issue.title}}',
    body: `we are still working on issue {{issue.id}} "{{issue.title}}" (severity {{issue.severity}}).
{{#if etr}}Estimated time of repair: {{etr}}.
{{/if}}You will hear from us again by {{nextUpdateAt}} at the latest.`,
  },
  'etr-review': {
    subject: '[{{issue.id}}] Estimated time of repair under review: {{issue.title}}',
    body: `the estimated time of repair we gave you for issue {{issue.id}} "{{issue.title}}" ({{etr}}) has passed.
It is under review and our management has been informed. You will hear from us again by {{nextUpdateAt}} at the latest.`,
  },
  resolution: {
    subject: '[{{issue.id}}] {{#if rfoRevised}}Revised reason for outage{{else}}Resolved{{/if}}: {{issue.title}}',
    body: `{{#if rfoRevised}}we have revised the reason for outage of issue {{issue.id}} "{{issue.title}}" after your comments.{{else}}issue {{issue.id}} "{{issue.title}}" is resolved.{{/if}}{{#if issue.rfo}}

{{> rfoText}}{{else}}

If the problem is not gone, just reply to this email.{{/if}}`,
  },
  'rfo-reminder': {
    subject: '[{{issue.id}}] Reminder: please review the reason for outage',
    body: `we sent you the reason for outage of issue {{issue.id}} "{{issue.title}}" and have not heard back yet.

{{> rfoText}}`,
  },
  closure: {
    subject: '[{{issue.id}}] Closed: {{issue.title}}',
    body: `issue {{issue.id}} "{{issue.title}}" is now closed.{{#if issue.rfo}}
The reason for outage was {{#if (eq issue.rfo.acceptedBy "auto")}}taken as accepted after we did not hear back{{else}}accepted{{/if}}.{{/if}}`,
  },
  'escalation-confirmation': {
    subject: '[{{issue.id}}] Escalated: {{issue.title}}',
    body: `you escalated issue {{issue.id}} "{{issue.title}}". {{customer.team.serviceManager.name}}, your service manager, has been informed and is taking care of it{{#if person}}, together with {{person.name}}{{/if}}.`,
  },
  escalation: {
    subject: '[{{issue.id}}] Escalation to you: {{issue.title}} ({{customer.name}}, {{issue.severity}})',
    internal: true,
    body: `issue {{issue.id}} of {{customer.name}} is escalated to you: {{reason}}.

{{> contextText}}`,
  },
  'holding-backoff': {
    subject: '[{{issue.id}}] Only holding updates so far: {{issue.title}} ({{customer.name}})',
    internal: true,
    body: `issue {{issue.id}} of {{customer.name}} has had {{reason}}: nobody has written the customer an update. From now on the customer hears from us less often (next by {{nextUpdateAt}}). Write them an update (Update the customer, on the issue in the console) to give them news and restore the cadence.

{{> contextText}}`,
  },
  nudge: {
    subject: '[{{issue.id}}] Customer update due at {{nextUpdateAt}}: {{issue.title}}',
    internal: true,
    body: `{{customer.name}} was promised an update on issue {{issue.id}} by {{nextUpdateAt}}. Write it now (Update the customer, on the issue in the console), or the customer gets a holding update and the gap counts against the update-cadence KPI.

{{> contextText}}`,
  },
  'etr-warning': {
    subject: '[{{issue.id}}] ETR passes at {{etr}}: {{issue.title}}',
    internal: true,
    body: `the estimated time of repair given to {{customer.name}} for issue {{issue.id}} passes at {{etr}}. Resolve the issue or set a new ETR; otherwise the customer is told the ETR is under review and the issue moves up the ladder.

{{> contextText}}`,
  },
  'rfo-dispute': {
    subject: '[{{issue.id}}] RFO disputed by {{customer.name}}: {{issue.title}}',
    internal: true,
    body: `{{customer.name}} disputes the reason for outage (revision {{rfoRevision}}) of issue {{issue.id}}:

"{{comment}}"

Send them a revised reason for outage (Revise RFO, on the issue in the console); the issue closes when the customer accepts it.

{{> contextText}}`,
  },
  'monitoring-cleared': {
    subject: '[{{issue.id}}] Cleared by monitoring — please confirm and resolve: {{issue.title}}',
    internal: true,
    body: `monitoring reports the alert behind issue {{issue.id}} as cleared. The customer has not been told: check that the service is back, then resolve the issue with a reason for outage (Resolve, on the issue in the console).

{{> contextText}}`,
  },
  'message-receipt': {
    subject: '[{{issue.id}}] We have your message: {{issue.title}}',
    body: `thank you for your message about issue {{issue.id}} "{{issue.title}}". {{#if issue.owner}}{{issue.owner.name}}{{else}}We{{/if}} will answer you by {{replyBy}} at the latest.`,
  },
  reply: {
    subject: '[{{issue.id}}] Re: {{issue.title}}',
    body: `{{reply.message}}`,
  },
  'question-waiting': {
    subject: '[{{issue.id}}] {{customer.name}} is waiting for an answer: {{issue.title}}',
    internal: true,
    body: `{{question.from}} wrote about issue {{issue.id}} ({{issue.status}}) on {{questionSince}} and has had no answer; it was due by {{replyBy}}. Answer them now (Reply, on the issue in the console).

Their message: "{{question.subject}}"

{{> contextText}}`,
  },
  'triage-notice': {
    subject: '[{{issue.id}}] For no known customer: {{issue.title}}',
    internal: true,
    body: `Steward filed {{#if (eq issue.source "email")}}an email{{else}}an alert{{/if}} under {{customer.name}}: {{triageReason}} Nobody outside has been told. Find its customer and move the issue there (Move, on the issue in the console): their contacts are told at once, and its emails go to them from then on.

{{> contextText}}`,
  },
  'customer-message': {
    subject: '[{{issue.id}}] Customer wrote: {{message.subject}}',
    internal: true,
    body: `{{message.from}} wrote about issue {{issue.id}}{{#if message.note}} ({{message.note}}){{/if}}:

{{message.text}}

{{> contextText}}`,
  },
  'contact-undeliverable': {
    subject: 'Contact undeliverable at {{customer.name}}: {{contact.email}}',
    internal: true,
    body: `{{contact.name}} <{{contact.email}}> of {{customer.name}} no longer gets mail from Steward: {{reason}}.
Please find out the right address and update the customer's contacts (POST /customers).`,
  },
  'dunning-courtesy': {
    subject: 'Invoices coming due from {{day dueDate}}',
    body: `a friendly note: {{byCount "these invoices fall" "this invoice falls"}} due soon.

{{> invoicesText}}

If {{byCount "they are" "it is"}} already on {{byCount "their" "its"}} way, thank you and please ignore this note.`,
  },
  'dunning-reminder': {
    subject: 'Payment reminder: {{counted count "overdue invoice"}}',
    body: `our records show {{byCount "these invoices" "this invoice"}} as unpaid:

{{> invoicesText}}

Perhaps this crossed with your payment; if not, please arrange it soon.`,
  },
  'dunning-why': {
    subject: 'Second reminder: {{counted count "overdue invoice"}} — is something wrong?',
    body: `{{byCount "these invoices are" "this invoice is"}} still unpaid:

{{> invoicesText}}

If something keeps you from paying, tell us: promise a payment date ({{links.promise}}) or dispute an invoice with the reason ({{links.dispute}}).`,
  },
  'dunning-warning': {
    subject: 'Overdue invoices: service may be suspended on {{suspensionDate}}',
    body: `{{byCount "these invoices are" "this invoice is"}} overdue:

{{> invoicesText}}

If {{byCount "they are" "it is"}} not paid by {{suspensionDate}}, the service may be suspended. {{customer.team.serviceManager.name}} will call you to find a solution.`,
  },
  'dunning-final': {
    subject: 'Final notice: service suspension on {{suspensionDate}}',
    body: `this is our final notice for {{byCount "these invoices" "this invoice"}}:

{{> invoicesText}}

Unless {{byCount "they are" "it is"}} paid, the service will be suspended on {{suspensionDate}}. Our management has been informed.`,
  },
  'dunning-suspension': {
    subject: 'Service suspended: overdue invoices',
    body: `as announced, the service is suspended because {{byCount "these invoices are" "this invoice is"}} unpaid:

{{> invoicesText}}

It is restored as soon as {{byCount "they are" "it is"}} paid. Please contact {{customer.team.serviceManager.name}} ({{customer.team.serviceManager.email}}), or reply to this email.`,
  },
  'dunning-thanks': {
    subject: 'Thank you for your payment',
    body: `thank you: all your overdue invoices are paid. No further reminders will follow.`,
  },
  'dunning-restored': {
    subject: 'Thank you for your payment: service restored',
    body: `thank you: all your overdue invoices are paid, and the suspension is lifted. {{customer.team.serviceManager.name}} ({{customer.team.serviceManager.email}}) restores your service now and confirms when it is back. No further reminders will follow.`,
  },
  'dunning-restore-task': {
    subject: 'Task: restore the service of {{customer.name}} (paid in full)',
    internal: true,
    body: `{{customer.name}} has paid every overdue invoice after the suspension. Please restore their service now and confirm to them when it is back; they were told you would.`,
  },
  'dunning-dispute-resolved': {
    subject: 'Your dispute of invoice {{invoice.id}} is resolved',
    body: `we have looked into your dispute of invoice {{invoice.id}} ("{{invoice.dispute.reason}}").

Outcome: {{invoice.dispute.outcome}}
{{#if credit}}Credit: {{money credit invoice.currency}}
{{/if}}{{#if owing}}Still to pay: {{money invoice.balance invoice.currency}}, due {{day invoice.dueDate}}.{{else}}Nothing is left to pay on this invoice.{{/if}}

Questions? Reply to this email or write to {{customer.team.serviceManager.name}} ({{customer.team.serviceManager.email}}).`,
  },
  'dunning-promise-broken': {
    subject: 'Promise to pay broken: {{customer.name}}',
    internal: true,
    body: `{{customer.name}} promised to pay {{#each invoices}}{{id}} ({{money promise.amount currency}}) by {{day promise.date}}{{/each}}, and the payment has not arrived. Dunning resumes at the next step.

{{> invoicesText}}`,
  },
  'dunning-outage-hold': {
    subject: 'Dunning held during an outage: {{customer.name}}',
    internal: true,
    body: `the {{stepName}} to {{customer.name}} is due, but the customer has (or just had) a sev1/sev2 issue. Consequence steps are held; plain reminders continue. Decide whether to contact the customer yourself.

{{> invoicesText}}`,
  },
  'dunning-suspension-proposal': {
    subject: 'Approve suspension of {{customer.name}}?',
    internal: true,
    body: `{{customer.name}} has not paid these invoices, and the {{stepName}} is due:

{{> invoicesText}}

They were told the service would be suspended on {{suspensionDate}}.

Approve: {{links.approve}}
Decline (holds for {{declineHoldDays}} days): {{links.decline}}
Nothing goes to the customer until you approve.`,
  },
  'dunning-reply': {
    subject: '{{customer.name}} replied about their invoices: {{reply.subject}}',
    internal: true,
    body: `{{customer.name}} ({{reply.from}}) answered a payment reminder:

{{reply.text}}

The reply is in the customer's history (GET /customers/{{customer.id}}, "replies"). Dunning goes on unless you record a promise, a dispute or a pause.`,
  },
  'dunning-dispute': {
    subject: 'Invoice {{invoice.id}} disputed by {{customer.name}}',
    internal: true,
    body: `{{customer.name}} disputes invoice {{invoice.id}} ({{money invoice.balance invoice.currency}}, due {{day invoice.dueDate}}):

"{{invoice.dispute.reason}}"

Fault: {{#if invoice.dispute.fault}}{{invoice.dispute.fault}}{{else}}not yet known{{/if}}. Owner: {{#if invoice.dispute.owner}}{{invoice.dispute.owner}}{{else}}you{{/if}}. Resolve by: {{#if invoice.dispute.resolveBy}}{{invoice.dispute.resolveBy}}{{else}}not set{{/if}}.
Dunning is paused for this invoice only; resolve the dispute with its outcome, whose fault it was and any credit, once you know them.`,
  },
  'dunning-notice-call': {
    subject: 'Task: call {{customer.name}} about overdue invoices',
    internal: true,
    body: `please call {{customer.name}} about these overdue invoices. They were told the service may be suspended on {{suspensionDate}}.

{{> invoicesText}}`,
  },
  'dunning-notice-inform': {
    subject: 'For your information: final notice to {{customer.name}}',
    internal: true,
    body: `{{customer.name}} received the final notice; suspension is set for {{suspensionDate}}.

{{> invoicesText}}`,
  },
} as const;

export type TemplateName = keyof typeof sources;

hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
/** `{{counted n "overdue invoice"}}`: "1 overdue invoice", "3 overdue invoices". */
hb.registerHelper('counted', (count: number, noun: string) => counted(count, noun));
/** `{{day "2026-12-11"}}`: "Friday 11 December 2026". */
hb.registerHelper('day', (date: string) => dayInWords(date));
/** `{{byCount "these invoices are" "this invoice is"}}`: the plural words, or the singular ones when the email's `count` is 1. */
hb.registerHelper('byCount', (plural: string, singular: string, options: { data?: { root?: { count?: number } } }) =>
  options?.data?.root?.count === 1 ? singular : plural,
);
/** `{{shortDay "2026-12-01"}}`: "1 Dec 2026" (a date in a list of invoices). */
hb.registerHelper('shortDay', (date: string) => shortDay(date));
/** `{{money 1750 "EUR"}}`: "€1,750.00" in the conventions of the customer's country (the email's `customer.country`). */
hb.registerHelper('money', (amount: number, currency: string, options: { data?: { root?: { customer?: { country?: string } } } }) =>
  moneyInWords(Number(amount), currency, options?.data?.root?.customer?.country),
);

const toHtml = (body: string) =>
  body
    .replace(/\{\{> (\w+)Text\}\}/g, '{{> $1Html}}')
    .split(/\n\n+/)
    .map((paragraph) => (paragraph.startsWith('{{> ') ? paragraph : `<p>${paragraph.replace(/\n/g, '<br>\n')}</p>`))
    .join('\n');

const compiled = new Map<
  TemplateName,
  { subject: HandlebarsTemplateDelegate; text: HandlebarsTemplateDelegate; html: HandlebarsTemplateDelegate }
>();

export function render(name: TemplateName, data: Record<string, unknown>): { subject: string; text: string; html: string } {
  let template = compiled.get(name);
  if (!template) {
    const source = sources[name];
    const internal = 'internal' in source && source.internal;
    const greeting = internal ? 'Hello {{person.name}},' : 'Hello {{#if greetName}}{{greetName}}{{else}}{{customer.name}}{{/if}},';
    const text = `${greeting}\n\n${source.body}\n${internal ? '\n-- Steward' : '{{> footerText}}'}`;
    const html = `<p>${greeting}</p>\n${toHtml(source.body)}\n${internal ? '<p>-- Steward</p>' : '{{> footerHtml}}'}`;
    template = {
      subject: hb.compile(source.subject, { noEscape: true }),
      text: hb.compile(text, { noEscape: true }),
      html: hb.compile(html),
    };
    compiled.set(name, template);
  }
  return { subject: template.subject(data), text: template.text(data), html: template.html(data) };
}
