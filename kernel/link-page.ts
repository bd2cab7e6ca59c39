import type { TemplateDelegate } from 'handlebars';
import { templateEngine } from './email-templates.ts';
import { html, type ApiEvent, type ApiResult } from './http.ts';
import { verifyLink, type LinkClaims, type VerifyingKeys } from './links.ts';

/** The small page a link opens: GET shows it with a button, only POST acts (mail scanners follow links). */
const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>{{title}}</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.5}
button{font-size:1rem;padding:.6rem 1.2rem}textarea{width:100%;min-height:8rem}label{display:block;margin-top:1rem}.muted{color:#555}</style></head>
<body><h1>{{title}}</h1>
{{#each paragraphs}}<p>{{this}}</p>{{/each}}
{{#if rfo}}<h2>Reason for outage</h2><p style="white-space:pre-wrap">{{rfo}}</p>{{/if}}
{{#if form}}<form method="post">
{{#each form.fields}}<label for="{{name}}">{{label}}</label>
{{#if (eq type "textarea")}}<textarea id="{{name}}" name="{{name}}" {{#if required}}required {{/if}}maxlength="5000"></textarea>
{{else if (eq type "select")}}<select id="{{name}}" name="{{name}}" {{#if required}}required{{/if}}>{{#each options}}<option value="{{value}}">{{label}}</option>{{/each}}</select>
{{else}}<input id="{{name}}" name="{{name}}" type="{{type}}" {{#if required}}required{{/if}}>{{/if}}
{{/each}}<p><button type="submit">{{form.button}}</button></p></form>{{/if}}
<p class="muted">Steward{{#if subject}} · {{subject}}{{/if}}</p></body></html>`;

let page: TemplateDelegate | undefined;

export interface FormField {
  name: string;
  label: string;
  type: 'textarea' | 'date' | 'select' | 'number';
  required?: boolean;
  options?: { value: string; label: string }[];
}

export interface PageContent {
  title: string;
  paragraphs: string[];
  /** What the page is about (an issue id, a customer name). */
  subject?: string;
  rfo?: string;
  form?: { button: string; fields?: FormField[] };
}

/** The page's HTML, with the templates' engine (loaded with the first page: most requests to the functions that serve links open none). */
async function renderPage(content: PageContent): Promise<string> {
  page ??= (await templateEngine()).compile(PAGE);
  return page(content);
}

/** A link page as the HTTP answer. */
export const htmlPage = async (statusCode: number, content: PageContent): Promise<ApiResult> => html(statusCode, await renderPage(content));

/** Checks a link's signature and expiry; a bad one gets a page saying so (400, or 410 when expired). */
export async function verifiedLink(
  event: ApiEvent,
  keys: VerifyingKeys,
  now: Date,
): Promise<{ ok: true; claims: LinkClaims; linkId: string } | { ok: false; page: ApiResult }> {
  const check = verifyLink(event.pathParameters?.token ?? '', keys, now);
  if (check.ok) return check;
  return { ok: false, page: await linkNotValidPage(check.reason.includes('expired') ? 410 : 400, check.reason) };
}

/** The page for a link that cannot act: `reason` completes "Sorry, …". */
export const linkNotValidPage = (statusCode: number, reason: string) =>
  htmlPage(statusCode, {
    title: 'Link not valid',
    paragraphs: [`Sorry, ${reason}. Please use the links in our latest email, or reply to it.`],
  });
