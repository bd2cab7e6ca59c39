import { emailTemplates } from '../../kernel/email-templates.ts';

/** The dunning emails: to the customer's billing contacts, and to finance and the service manager. */
const partials = {
  invoicesText: `{{#each invoices}}  {{id}}  due {{shortDay dueDate}}  {{#if age}}{{overdue}} overdue{{else}}not yet due{{/if}}  {{money balance currency}}
{{/each}}  Total: {{#each totals}}{{money amount currency}}{{#unless @last}}, {{/unless}}{{/each}}
`,
  invoicesHtml: `<table><tr><th>Invoice</th><th>Due</th><th>Age</th><th>Open</th></tr>
{{#each invoices}}<tr><td>{{id}}</td><td>{{shortDay dueDate}}</td><td>{{#if age}}{{overdue}}{{else}}not yet due{{/if}}</td><td>{{money balance currency}}</td></tr>
{{/each}}</table><p><strong>Total: {{#each totals}}{{money amount currency}}{{#unless @last}}, {{/unless}}{{/each}}</strong></p>`,
};

const sources = {
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
};

export type DunningTemplate = keyof typeof sources;
export const renderDunningEmail = emailTemplates<DunningTemplate>(sources, partials);
