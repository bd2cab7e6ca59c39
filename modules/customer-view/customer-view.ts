import * as z from 'zod';
import { rolesOf } from '../../kernel/actor.ts';
import type { Deps } from '../../kernel/deps.ts';
import { type ApiEvent, json, pathParam, type RouteHandler, validate } from '../../kernel/http.ts';
import { pageCursor } from '../../kernel/paging.ts';
import { customerEmailsPage } from '../../kernel/email-channel.ts';
import { CustomerDirectory } from '../customers/index.ts';
import { type Issue, IssueRepository } from '../issues/index.ts';
import { customerRepliesPage, InvoiceRepository, type StoredInvoice } from '../receivables/index.ts';
import { allows, type Permission, requirePermission } from '../users/index.ts';
import { DomainError } from '../../kernel/errors.ts';

/** How many of each history source `GET /customers/{id}` shows; `historyNext` continues each one. */
export const HISTORY_IN_VIEW = 100;
/** Source pages one history request reads at most while it looks for entries (RFOs among issues, payments among invoices). */
const SOURCE_PAGES_PER_REQUEST = 10;

const historyQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  after: pageCursor.optional(),
});

type Page<T> = { items: T[]; next?: string };

/** One list of a customer's history: the source it is read from, what each source item adds, who may read it. */
interface HistoryList<S, T> {
  read: (customerId: string, limit: number, after?: string) => Promise<Page<S>>;
  entries: (item: S) => T[];
  /** Where a page that ends inside a source page continues: needed where one source item gives other than one entry. */
  cursorOf?: (item: S) => string;
  permission: Permission;
}

/** Lists of different sources in one table: each is only ever used with its own source's items. */
const historyList = <S, T>(list: HistoryList<S, T>) => list as unknown as HistoryList<unknown, unknown>;

const issueSummary = ({ id, title, severity, status, createdAt, resolvedAt, closedAt }: Issue) => ({
  id,
  title,
  severity,
  status,
  createdAt,
  resolvedAt,
  closedAt,
});
const invoiceSummary = ({ id, status, dueDate, amount, amountPaid, credit, currency }: StoredInvoice) => ({
  id,
  status,
  dueDate,
  amount,
  amountPaid,
  credit,
  currency,
});

/**
 * GET /customers/{id}: the customer with its history across modules (issues, RFOs, invoices, payments,
 * disputes, promises, emails, replies), the first HISTORY_IN_VIEW of each source; GET
 * /customers/{id}/history/{list} pages through one list. Issue lists need issues:read, money lists
 * invoices:read: a role without them gets the customer without those lists.
 */
export function customerView(deps: Pick<Deps, 'store'>): Record<string, RouteHandler> {
  const customers = new CustomerDirectory(deps.store);
  const issuesOf = new IssueRepository(deps.store);
  const invoicesOf = new InvoiceRepository(deps.store);

  const issuePages = async (customerId: string, limit: number, after?: string): Promise<Page<Issue>> => {
    const page = await issuesOf.customerIssuesPage(customerId, limit, after);
    return { items: page.issues, next: page.next };
  };
  const invoicePages = async (customerId: string, limit: number, after?: string): Promise<Page<StoredInvoice>> => {
    const page = await invoicesOf.customerInvoicesPage(customerId, limit, after);
    return { items: page.invoices, next: page.next };
  };
  const fromIssues = <T>(entries: (issue: Issue) => T[]) =>
    historyList({ read: issuePages, entries, cursorOf: (issue) => `${issue.createdAt}#${issue.id}`, permission: 'issues:read' });
  const fromInvoices = <T>(entries: (invoice: StoredInvoice) => T[]) =>
    historyList({ read: invoicePages, entries, cursorOf: (invoice) => invoice.id, permission: 'invoices:read' });
  const lists = {
    issues: fromIssues((issue) => [issueSummary(issue)]),
    rfos: fromIssues((issue) => (issue.rfo ? [{ issueId: issue.id, ...issue.rfo }] : [])),
    invoices: fromInvoices((invoice) => [invoiceSummary(invoice)]),
    payments: fromInvoices((invoice) => invoice.payments.map((payment) => ({ invoiceId: invoice.id, ...payment }))),
    disputes: fromInvoices((invoice) => (invoice.dispute ? [{ invoiceId: invoice.id, ...invoice.dispute }] : [])),
    promises: fromInvoices((invoice) => (invoice.promise ? [{ invoiceId: invoice.id, ...invoice.promise }] : [])),
    emails: historyList({
      read: async (customerId: string, limit: number, after?: string) => {
        const page = await customerEmailsPage(deps.store, customerId, limit, after);
        return { items: page.emails, next: page.next };
      },
      entries: (email) => [email],
      permission: 'customers:read',
    }),
    replies: historyList({
      read: async (customerId: string, limit: number, after?: string) => {
        const page = await customerRepliesPage(deps.store, customerId, limit, after);
        return { items: page.replies, next: page.next };
      },
      entries: (reply) => [reply],
      permission: 'invoices:read',
    }),
  };
  type ListName = keyof typeof lists;
  const listNames = Object.keys(lists) as ListName[];

  const customerOr404 = async (id: string) => {
    const customer = await customers.getCustomer(id);
    if (!customer) throw new DomainError('not-found', `customer ${id} not found`);
    return customer;
  };
  const mayRead = (event: ApiEvent, name: ListName) => allows(rolesOf(event), lists[name].permission);

  return {
    'GET /customers/{id}': async (event) => {
      const id = pathParam(event);
      const customer = await customerOr404(id);
      const readable = listNames.filter((name) => mayRead(event, name));
      // Lists from one source share its first page: read each source once.
      const sources = new Map<HistoryList<unknown, unknown>['read'], Promise<Page<unknown>>>();
      const pageOf = (name: ListName) => {
        const read = lists[name].read;
        if (!sources.has(read)) sources.set(read, read(id, HISTORY_IN_VIEW));
        return sources.get(read)!;
      };
      const pages = await Promise.all(readable.map(pageOf));
      const history: Record<string, unknown[]> = {};
      const historyNext: Record<string, string> = {};
      for (const [index, name] of readable.entries()) {
        const page = pages[index];
        history[name] = page.items.flatMap((item) => lists[name].entries(item));
        if (page.next) historyNext[name] = page.next;
      }
      // Here emails and replies read oldest first, as they always have (email pages go newest first, reply pages as stored).
      if (history.emails) history.emails.reverse();
      if (history.replies) (history.replies as { at: string }[]).sort((a, b) => a.at.localeCompare(b.at));
      return json(200, { ...customer, history, ...(Object.keys(historyNext).length ? { historyNext } : {}) });
    },

    /** One list of the customer's history, a page at a time: `?limit=` (1–200, default 50), `?after=` the `next` of the page before. */
    'GET /customers/{id}/history/{list}': async (event) => {
      const id = pathParam(event);
      const name = pathParam(event, 'list');
      if (!listNames.includes(name as ListName))
        throw new DomainError('not-found', `list: no history list "${name.slice(0, 40)}"; one of ${listNames.join(', ')}`, {
          details: [{ field: 'list', problem: `one of ${listNames.join(', ')}` }],
        });
      const list = lists[name as ListName];
      requirePermission(event, list.permission);
      const query = validate(event.queryStringParameters ?? {}, historyQuery);
      await customerOr404(id);
      const entries: unknown[] = [];
      let cursor = query.after;
      for (let pages = 0; pages < SOURCE_PAGES_PER_REQUEST; pages++) {
        const page = await list.read(id, query.limit, cursor);
        for (const [index, item] of page.items.entries()) {
          entries.push(...list.entries(item));
          if (entries.length < query.limit) continue;
          const next = index === page.items.length - 1 ? page.next : list.cursorOf?.(item);
          return json(200, { [name]: entries, ...(next ? { next } : {}) });
        }
        if (!page.next) return json(200, { [name]: entries });
        cursor = page.next;
      }
      return json(200, { [name]: entries, next: cursor });
    },
  };
}

/** The schemas the customer view validates requests with, by route key (for the API's description). */
export const customerViewRequestSchemas = { 'GET /customers/{id}/history/{list}': { query: historyQuery } };
