import { emailTemplates } from '../../kernel/email-templates.ts';

/**
 * The maintenance emails to each affected customer: one per step, naming their own services, with
 * times in their zone. Every subject carries the maintenance's id.
 */
const partials = {
  windowText: `When: from {{from}} to {{to}}.
What it means for you: {{effect}}

Your services affected:
{{#each services}}  - {{this}}
{{/each}}
`,
  windowHtml: `<p>When: from {{from}} to {{to}}.<br>
What it means for you: {{effect}}</p>
<p>Your services affected:</p>
<ul>{{#each services}}<li>{{this}}</li>{{/each}}</ul>`,
};

const sources = {
  'maintenance-notice': {
    subject: '[{{maintenance.id}}] {{#if rescheduled}}Rescheduled: {{else}}Planned maintenance: {{/if}}{{maintenance.title}}',
    body: `{{#if rescheduled}}we have moved planned maintenance {{maintenance.id}} "{{maintenance.title}}" to a new time.{{else}}we will carry out planned maintenance {{maintenance.id}} "{{maintenance.title}}".{{/if}}{{#if shortNotice}} This is shorter notice than the {{noticeDays}} we promise: we are sorry for that.{{/if}}

{{> windowText}}{{#if maintenance.description}}
{{maintenance.description}}

{{/if}}We will remind you the business day before, and tell you when the work starts and when it is done.`,
  },
  'maintenance-reminder': {
    subject: '[{{maintenance.id}}] Reminder: planned maintenance {{startDay}}',
    body: `a reminder: planned maintenance {{maintenance.id}} "{{maintenance.title}}" starts {{startDay}}.

{{> windowText}}`,
  },
  'maintenance-started': {
    subject: '[{{maintenance.id}}] Maintenance started: {{maintenance.title}}',
    body: `planned maintenance {{maintenance.id}} "{{maintenance.title}}" has started. We expect to finish by {{to}}.

{{during}} We will tell you when it is done.`,
  },
  'maintenance-extended': {
    subject: '[{{maintenance.id}}] Maintenance extended until {{to}}',
    body: `planned maintenance {{maintenance.id}} "{{maintenance.title}}" needs more time than planned: we now expect to finish by {{to}}.

{{during}} We will tell you when it is done.`,
  },
  'maintenance-completed': {
    subject: '[{{maintenance.id}}] Maintenance completed: {{maintenance.title}}',
    body: `planned maintenance {{maintenance.id}} "{{maintenance.title}}" is complete{{#if completedAt}} ({{completedAt}}){{/if}}. Your services should work as usual; if anything does not, reply to this email.`,
  },
  'maintenance-cancelled': {
    subject: '[{{maintenance.id}}] Cancelled: planned maintenance {{maintenance.title}}',
    body: `we have cancelled planned maintenance {{maintenance.id}} "{{maintenance.title}}", which was to start {{from}}. Nothing changes for your services.{{#if maintenance.cancelReason}}

Why: {{maintenance.cancelReason}}{{/if}}`,
  },
};

export type MaintenanceTemplate = keyof typeof sources;

export const renderMaintenanceEmail = emailTemplates<MaintenanceTemplate>(sources, partials);
