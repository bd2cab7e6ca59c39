import type { Deps } from '../../kernel/deps.ts';
import { HttpError, json, pathParam, type RouteHandler } from '../../kernel/http.ts';
import { customerEmails } from '../../kernel/outbox.ts';
import { CustomerRepository } from '../../modules/customers/index.ts';
import { IssueRepository } from '../../modules/issues/index.ts';
import { customerReplies, InvoiceRepository } from '../../modules/receivables/index.ts';

/** GET /customers/{id}: the customer with its history across modules (issues, RFOs, invoices, every email). */
export function customerView(deps: Pick<Deps, 'store'>): Record<string, RouteHandler> {
  const customers = new CustomerRepository(deps.store);
  const issuesOf = new IssueRepository(deps.store);
  const invoicesOf = new InvoiceRepository(deps.store);
  return {
    'GET /customers/{id}': async (event) => {
      const id = pathParam(event);
      const customer = await customers.getCustomer(id);
      if (!customer) throw new HttpError(404, `customer ${id} not found`);
      const [issues, emails, invoices, replies] = await Promise.all([
        issuesOf.listIssues({ customerId: id }),
        customerEmails(deps.store, id),
        invoicesOf.ofCustomer(id),
        customerReplies(deps.store, id),
      ]);
      return json(200, {
        ...customer,
        history: {
          invoices: invoices.map(({ id: invoiceId, status, dueDate, amount, amountPaid, credit, currency }) => ({
            id: invoiceId,
            status,
            dueDate,
            amount,
            amountPaid,
            credit,
            currency,
          })),
          payments: invoices.flatMap((invoice) => invoice.payments.map((payment) => ({ invoiceId: invoice.id, ...payment }))),
          disputes: invoices.filter((invoice) => invoice.dispute).map((invoice) => ({ invoiceId: invoice.id, ...invoice.dispute })),
          promises: invoices.filter((invoice) => invoice.promise).map((invoice) => ({ invoiceId: invoice.id, ...invoice.promise })),
          issues: issues.map(({ id: issueId, title, severity, status, createdAt, resolvedAt, closedAt }) => ({
            id: issueId,
            title,
            severity,
            status,
            createdAt,
            resolvedAt,
            closedAt,
          })),
          rfos: issues.filter((issue) => issue.rfo).map((issue) => ({ issueId: issue.id, ...issue.rfo })),
          emails,
          replies,
        },
      });
    },
  };
}
