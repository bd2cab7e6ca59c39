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
