import Handlebars from 'handlebars';
import type { LinkAction } from '../../domain/links.ts';

/** The small page a customer link opens: GET shows it with a button, only POST acts (mail scanners follow links). */
const page = Handlebars.compile(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>{{title}}</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.5}
button{font-size:1rem;padding:.6rem 1.2rem}textarea{width:100%;min-height:8rem}.muted{color:#555}</style></head>
<body><h1>{{title}}</h1>
{{#each paragraphs}}<p>{{this}}</p>{{/each}}
{{#if rfo}}<h2>Reason for outage</h2><p style="white-space:pre-wrap">{{rfo}}</p>{{/if}}
{{#if form}}<form method="post">
{{#if form.comment}}<p><label for="comment">{{form.comment}}</label><br><textarea id="comment" name="comment" {{#if form.required}}required {{/if}}maxlength="5000"></textarea></p>{{/if}}
<button type="submit">{{form.button}}</button></form>{{/if}}
<p class="muted">Steward · {{issueId}}</p></body></html>`);

export interface PageContent {
  title: string;
  paragraphs: string[];
  issueId?: string;
  rfo?: string;
  form?: { button: string; comment?: string; required?: boolean };
}

export const renderPage = (content: PageContent) => page(content);

export const actionForms: Record<LinkAction, { title: string; intro: string; form: PageContent['form'] }> = {
  'accept-rfo': { title: 'Accept the reason for outage', intro: 'Please confirm that you accept this reason for outage. The issue is then closed.', form: { button: 'Accept the reason for outage' } },
  'dispute-rfo': {
    title: 'Dispute the reason for outage',
    intro: 'Tell us what is wrong or missing. Your service manager gets your comment and we send you a revised reason for outage.',
    form: { button: 'Send my dispute', comment: 'What is wrong or missing?', required: true },
  },
  escalate: {
    title: 'Escalate this issue',
    intro: 'Escalating moves the issue up to our management and tells your service manager at once.',
    form: { button: 'Escalate now', comment: 'Anything we should know? (optional)' },
  },
};
