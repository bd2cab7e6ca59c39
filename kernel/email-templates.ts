import type Handlebars from 'handlebars';
import { counted, dayInWords, shortDay } from './time-words.ts';
import { moneyInWords } from './money-words.ts';

/**
 * The email templates' engine: Handlebars (the HTML escapes by default) with the helpers and the
 * sign-off every email shares. Each module keeps its own templates (`emailTemplates` in its
 * templates.ts); a customer email ends with the escalation link while its issue is unresolved,
 * an internal one with Steward's name.
 */
/** Every customer email's sign-off: the escalation link while its issue is unresolved. */
const FOOTER_TEXT = `{{#if links.escalate}}

Not happy with how this is going? Escalate to our management: {{links.escalate}}{{/if}}

-- Steward, on behalf of {{customer.team.serviceManager.name}}`;
const FOOTER_HTML = `{{#if links.escalate}}<p style="font-size:smaller">Not happy with how this is going? <a href="{{links.escalate}}">Escalate to our management</a>.</p>{{/if}}
<p>-- Steward, on behalf of {{customer.team.serviceManager.name}}</p>`;

let loading: Promise<typeof Handlebars> | undefined;

/**
 * The Handlebars environment with the shared sign-off and helpers (the link pages use it too),
 * loaded with the first email or page a function renders: most invocations of most functions
 * render none.
 */
export function templateEngine(): Promise<typeof Handlebars> {
  loading ??= import('handlebars').then(({ default: handlebars }) => {
    const hb = handlebars.create();
    hb.registerPartial('footerText', FOOTER_TEXT);
    hb.registerPartial('footerHtml', FOOTER_HTML);
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
    return hb;
  });
  return loading;
}

/** A template's subject and body text; the HTML is the same paragraphs with the HTML partials. */
export interface TemplateSource {
  subject: string;
  body: string;
  /** To staff: greets the person, signs as Steward, no customer footer. */
  internal?: boolean;
}

const toHtml = (body: string) =>
  body
    .replace(/\{\{> (\w+)Text\}\}/g, '{{> $1Html}}')
    .split(/\n\n+/)
    .map((paragraph) => (paragraph.startsWith('{{> ') ? paragraph : `<p>${paragraph.replace(/\n/g, '<br>\n')}</p>`))
    .join('\n');

export type Rendered = { subject: string; text: string; html: string };

/**
 * A module's templates, by name, and the partials they share (`{{> nameText}}` in a body; its
 * `nameHtml` twin in the HTML). Each template compiles on its first use, with the engine.
 */
export function emailTemplates<Name extends string>(
  sources: Record<Name, TemplateSource>,
  partials: Record<string, string> = {},
): (name: Name, data: Record<string, unknown>) => Promise<Rendered> {
  const compiled = new Map<
    Name,
    { subject: HandlebarsTemplateDelegate; text: HandlebarsTemplateDelegate; html: HandlebarsTemplateDelegate }
  >();
  let withPartials: Promise<typeof Handlebars> | undefined;
  const engine = () =>
    (withPartials ??= templateEngine().then((hb) => {
      for (const [partial, source] of Object.entries(partials)) hb.registerPartial(partial, source);
      return hb;
    }));
  return async (name, data) => {
    let template = compiled.get(name);
    if (!template) {
      const hb = await engine();
      const source = sources[name];
      if (!source) throw new Error(`no email template ${name}`);
      const greeting = source.internal ? 'Hello {{person.name}},' : 'Hello {{#if greetName}}{{greetName}}{{else}}{{customer.name}}{{/if}},';
      const text = `${greeting}\n\n${source.body}\n${source.internal ? '\n-- Steward' : '{{> footerText}}'}`;
      const html = `<p>${greeting}</p>\n${toHtml(source.body)}\n${source.internal ? '<p>-- Steward</p>' : '{{> footerHtml}}'}`;
      template = {
        subject: hb.compile(source.subject, { noEscape: true }),
        text: hb.compile(text, { noEscape: true }),
        html: hb.compile(html),
      };
      compiled.set(name, template);
    }
    return { subject: template.subject(data), text: template.text(data), html: template.html(data) };
  };
}
