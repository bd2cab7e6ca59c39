import { emailTemplates } from '../../kernel/email-templates.ts';

/**
 * The issue emails: to the customer (RFO emails carry the accept and dispute links) and to staff
 * (with the context a person needs to act at once).
 */
const partials = {
  rfoText: `Reason for outage (revision {{rfoRevision}}):
{{issue.rfo.text}}

Accept this reason for outage: {{links.accept}}
Dispute it (tell us what is wrong): {{links.dispute}}
Without an answer we take it as accepted after {{autoAcceptAfter}}.`,
  rfoHtml: `<h3>Reason for outage (revision {{rfoRevision}})</h3><p style="white-space:pre-wrap">{{issue.rfo.text}}</p>
<p><a href="{{links.accept}}">Accept</a> · <a href="{{links.dispute}}">Dispute</a></p>
<p style="font-size:smaller">Without an answer we take it as accepted after {{autoAcceptAfter}}.</p>`,
  contextText: `Customer: {{customer.name}} ({{customer.tier}} tier)
Title:    {{issue.title}}
Severity: {{issue.severity}}
Status:   {{issue.status}}
Opened:   {{openedAt}}
{{#if issue.impact}}Impact:   {{issue.impact}}
{{/if}}ETR:      {{#if etr}}{{etr}}{{else}}none given{{/if}}

Customer history, last 90 days: {{counted history.recentIssues "issue"}}, {{history.openIssues}} of them still open.
Last told the customer: {{#if lastTold}}"{{lastTold.subject}}" on {{lastToldAt}}{{else}}nothing yet{{/if}}.`,
  contextHtml: `<table>
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
};

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
};

export type IssueTemplate = keyof typeof sources;
export const renderIssueEmail = emailTemplates<IssueTemplate>(sources, partials);
