import Handlebars from 'handlebars';

/** Text and HTML bodies per template, rendered with Handlebars (HTML escapes by default). */
const sources = {
  acknowledgement: {
    subject: '[{{issue.id}}] We are working on: {{issue.title}}',
    text: `Hello {{customer.name}},

we have received your issue "{{issue.title}}" ({{issue.id}}, severity {{issue.severity}}) and are working on it.
We will keep you informed until it is resolved.

-- Steward, on behalf of {{customer.team.serviceManager.name}}`,
    html: `<p>Hello {{customer.name}},</p>
<p>we have received your issue <strong>{{issue.title}}</strong> ({{issue.id}}, severity {{issue.severity}}) and are working on it.
We will keep you informed until it is resolved.</p>
<p>-- Steward, on behalf of {{customer.team.serviceManager.name}}</p>`,
  },
  closure: {
    subject: '[{{issue.id}}] Closed: {{issue.title}}',
    text: `Hello {{customer.name}},

issue {{issue.id}} "{{issue.title}}" is now closed.{{#if issue.rfo}}

Reason for outage:
{{issue.rfo.text}}{{/if}}

-- Steward, on behalf of {{customer.team.serviceManager.name}}`,
    html: `<p>Hello {{customer.name}},</p>
<p>issue {{issue.id}} <strong>{{issue.title}}</strong> is now closed.</p>
{{#if issue.rfo}}<h3>Reason for outage</h3><p>{{issue.rfo.text}}</p>{{/if}}
<p>-- Steward, on behalf of {{customer.team.serviceManager.name}}</p>`,
  },
  'holding-update': {
    subject: '[{{issue.id}}] Update: {{issue.title}}',
    text: `Hello {{customer.name}},

we are still working on issue {{issue.id}} "{{issue.title}}" (severity {{issue.severity}}).
You will hear from us again by {{nextUpdateAt}} at the latest.

-- Steward, on behalf of {{customer.team.serviceManager.name}}`,
    html: `<p>Hello {{customer.name}},</p>
<p>we are still working on issue {{issue.id}} <strong>{{issue.title}}</strong> (severity {{issue.severity}}).
You will hear from us again by <strong>{{nextUpdateAt}}</strong> at the latest.</p>
<p>-- Steward, on behalf of {{customer.team.serviceManager.name}}</p>`,
  },
  escalation: {
    subject: '[{{issue.id}}] Escalation to you: {{issue.title}} ({{customer.name}}, {{issue.severity}})',
    text: `Hello {{person.name}},

issue {{issue.id}} of {{customer.name}} ({{customer.tier}} tier) is escalated to you: {{reason}}.

Title:    {{issue.title}}
Severity: {{issue.severity}}
Status:   {{issue.status}}
Opened:   {{issue.createdAt}}
Impact:   {{issue.impact}}

Customer history: {{history.openIssues}} open issue(s), {{history.recentIssues}} in the last 90 days.
Last told the customer: {{#if lastTold}}"{{lastTold.subject}}" at {{lastTold.sentAt}}{{else}}nothing yet{{/if}}.

-- Steward`,
    html: `<p>Hello {{person.name}},</p>
<p>issue <strong>{{issue.id}}</strong> of {{customer.name}} ({{customer.tier}} tier) is escalated to you: {{reason}}.</p>
<table>
<tr><td>Title</td><td>{{issue.title}}</td></tr>
<tr><td>Severity</td><td>{{issue.severity}}</td></tr>
<tr><td>Status</td><td>{{issue.status}}</td></tr>
<tr><td>Opened</td><td>{{issue.createdAt}}</td></tr>
<tr><td>Impact</td><td>{{issue.impact}}</td></tr>
</table>
<p>Customer history: {{history.openIssues}} open issue(s), {{history.recentIssues}} in the last 90 days.</p>
<p>Last told the customer: {{#if lastTold}}"{{lastTold.subject}}" at {{lastTold.sentAt}}{{else}}nothing yet{{/if}}.</p>
<p>-- Steward</p>`,
  },
} as const;

export type TemplateName = keyof typeof sources;

const compiled = new Map<TemplateName, { subject: HandlebarsTemplateDelegate; text: HandlebarsTemplateDelegate; html: HandlebarsTemplateDelegate }>();

export function render(name: TemplateName, data: Record<string, unknown>): { subject: string; text: string; html: string } {
  let template = compiled.get(name);
  if (!template) {
    const source = sources[name];
    template = {
      subject: Handlebars.compile(source.subject, { noEscape: true }),
      text: Handlebars.compile(source.text, { noEscape: true }),
      html: Handlebars.compile(source.html),
    };
    compiled.set(name, template);
  }
  return { subject: template.subject(data), text: template.text(data), html: template.html(data) };
}
