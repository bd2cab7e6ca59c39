import { DateTime } from 'luxon';
import * as z from 'zod';
import { actorOf } from '../../kernel/actor.ts';
import type { Deps } from '../../kernel/deps.ts';
import { type ApiEvent, bodyText, json, MAX_PATH_PARAM, parseBody, pathParam, type RouteHandler, validate } from '../../kernel/http.ts';
import { pageCursor } from '../../kernel/paging.ts';
import { IdempotencyKeys, idempotencyKey } from '../../kernel/idempotency.ts';
import { CustomerDirectory } from '../customers/index.ts';
import type { Policy } from '../policies/index.ts';
import { callerZone, staffZone } from '../users/index.ts';
import { agingBucket, agingBuckets, arKpis, arTrend } from './ar-kpis.ts';
import { changeInvoices, contextOf, customerContext } from './dunning-service.ts';
import { type CsvProblem, parseInvoiceCsv } from './invoice-csv.ts';
import {
  byCustomer,
  IMPORT_WORKFLOW,
  ImportJobs,
  importExecutionName,
  MAX_IMPORT_ROWS,
  SYNC_IMPORT_ROWS,
  upsertCustomerInvoices,
} from './invoice-import.ts';
import { InvoiceRepository } from './invoice-repository.ts';
import {
  applyInvoiceEvent,
  applyPayment,
  balance,
  invoiceEventSchema,
  invoiceStatuses,
  newInvoiceSchema,
  paymentSchema,
  type InvoiceStatus,
  type NewInvoice,
  withDisputeOwner,
  withHistory,
} from './invoices.ts';
import { notifyDispute, notifyDisputeResolved } from './notices.ts';
import { applyStripeEvent } from './stripe.ts';
import { decideSuspension, dunningView, suspensionEventSchema } from './suspension.ts';
import { byUrgency, worklistEntry, type WorklistEntry } from './worklist.ts';
import { DomainError } from '../../kernel/errors.ts';

/** `{by}` for a history entry: the request's caller. */
const byOf = (event: ApiEvent) => {
  const by = actorOf(event);
  return by ? { by } : {};
};

/** Stripe-Signature timestamps more than this far from now (either way) are refused. */
const STRIPE_TOLERANCE_SECONDS = 300;

export type ReceivableRouteDeps = Pick<Deps, 'store' | 'clock' | 'workflows' | 'mailer' | 'settings' | 'blobs'>;

/** The approvals list answers with at most this many (the oldest first). */
const MAX_APPROVALS_LISTED = 500;

const worklistQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(100),
  /** The customer id of the last line of the page before (its `next`). */
  after: z.string().min(1).max(64).optional(),
});
const arTrendQuery = z.strictObject({ by: z.literal('week'), weeks: z.coerce.number().int().min(1).max(52).default(8) });
const agingQuery = z.strictObject({
  aging: z.enum(agingBuckets),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'ISO 4217 code, e.g. EUR')
    .optional(),
  limit: z.coerce.number().int().min(1).max(500).default(200),
  /** The id of the last invoice of the page before (its `next`). */
  after: z.string().min(1).max(64).optional(),
});

/** A page of `GET /invoices?customerId=` or `?status=`: without `limit`, the most a page may hold. */
const invoicePageQuery = z.object({
  customerId: z.string().max(MAX_PATH_PARAM).optional(),
  limit: z.coerce.number().int().min(1).max(1_000).default(1_000),
  /** The `next` of the page before. */
  after: pageCursor.optional(),
});

/** The receivables API: invoices, payments, invoice events, CSV import, suspension answers, AR KPIs and the Stripe webhook. */
export function receivableRoutes(deps: ReceivableRouteDeps): Record<string, RouteHandler> {
  const invoices = new InvoiceRepository(deps.store);
  const paymentKeys = new IdempotencyKeys(deps.store, deps.clock, 'POST /payments');
  const customers = new CustomerDirectory(deps.store);

  async function customerOfInvoice(id: string): Promise<string> {
    const customerId = await invoices.customerOf(id);
    if (!customerId) throw new DomainError('not-found', `invoice ${id} not found`);
    return customerId;
  }

  const importJobs = new ImportJobs(deps);

  /** Every customer the rows name must exist: a 400 naming the missing ones, before anything is written. */
  async function existingCustomers(inputs: NewInvoice[]): Promise<void> {
    const missing = [];
    for (const customerId of byCustomer(inputs).keys()) if (!(await customers.getCustomer(customerId))) missing.push(customerId);
    if (missing.length)
      throw new DomainError('invalid', `customer_id: no customer ${missing.map((id) => `"${id}"`).join(', ')}`, {
        details: missing.map((id) => ({ field: 'customer_id', problem: `unknown customer "${id}"` })),
      });
  }

  /** Upserts invoices grouped by customer (whose existence the caller checked); the counts are those of the attempt that was written. */
  async function upsertAll(inputs: NewInvoice[]): Promise<{ created: number; updated: number }> {
    let created = 0;
    let updated = 0;
    for (const [customerId, rows] of byCustomer(inputs)) {
      const attempt = await upsertCustomerInvoices(deps, customerId, rows);
      created += attempt.created;
      updated += attempt.updated;
    }
    return { created, updated };
  }

  /** The open invoices of one aging bucket (and currency), oldest due first, paged: the aging table's click-through. */
  async function agingPage(query: z.infer<typeof agingQuery>) {
    const today = deps.clock.now().toISOString().slice(0, 10); // as GET /kpis/ar counts aging
    const inBucket = (await invoices.byStatus('open'))
      .filter((invoice) => balance(invoice) > 0 && (!query.currency || invoice.currency === query.currency))
      .filter((invoice) => agingBucket(invoice, today) === query.aging)
      .sort((a, b) => a.dueDate.localeCompare(b.dueDate) || a.id.localeCompare(b.id));
    const start = query.after ? inBucket.findIndex((invoice) => invoice.id === query.after) + 1 : 0;
    const page = inBucket.slice(start, start + query.limit);
    const more = start + query.limit < inBucket.length;
    return {
      aging: query.aging,
      count: inBucket.length,
      invoices: page.map((invoice) => ({ ...invoice, balance: balance(invoice) })),
      ...(more ? { next: page.at(-1)!.id } : {}),
    };
  }

  return {
    'POST /invoices': async (event) => {
      const input = parseBody(event, newInvoiceSchema);
      const owner = await invoices.customerOf(input.id);
      if (owner && owner !== input.customerId) throw new DomainError('conflict', `invoice ${input.id} belongs to customer ${owner}`);
      await existingCustomers([input]);
      const { created } = await upsertAll([input]);
      return json(created ? 201 : 200, await invoices.get(input.id), { location: `/invoices/${input.id}` });
    },

    'GET /invoices/{id}': async (event) => {
      const id = pathParam(event);
      const invoice = await invoices.get(id);
      if (!invoice) throw new DomainError('not-found', `invoice ${id} not found`);
      return json(200, invoice);
    },

    'GET /invoices': async (event) => {
      if (event.queryStringParameters?.aging !== undefined)
        return json(200, await agingPage(validate(event.queryStringParameters, agingQuery)));
      const { customerId, status } = event.queryStringParameters ?? {};
      if (status && !invoiceStatuses.includes(status as InvoiceStatus))
        throw new DomainError('invalid', `status: must be one of ${invoiceStatuses.join(', ')}`);
      if (!customerId && !status) throw new DomainError('invalid', 'customerId or status: give at least one');
      const { limit, after } = validate(event.queryStringParameters, invoicePageQuery);
      // A customer's pages go by invoice id, a status's by due date; each page is sorted by due date.
      const page = customerId
        ? await invoices.customerInvoicesPage(customerId, limit, after)
        : await invoices.byStatusPage(status as InvoiceStatus, limit, after);
      return json(200, {
        invoices: page.invoices
          .filter((invoice) => !status || invoice.status === status)
          .sort((a, b) => a.dueDate.localeCompare(b.dueDate)),
        ...(page.next ? { next: page.next } : {}),
      });
    },

    /** A payment is recorded once per reference; an Idempotency-Key also refuses a different body under the same key. */
    'POST /payments': async (event) => {
      const payment = parseBody(event, paymentSchema);
      const key = idempotencyKey(event);
      const customerId = await customerOfInvoice(payment.invoiceId);
      const record = async () => {
        const at = deps.clock.now().toISOString();
        await changeInvoices(deps, customerId, (invoices) =>
          invoices
            .filter((invoice) => invoice.id === payment.invoiceId)
            .map((invoice) => ({
              ...withHistory(invoice, applyPayment(invoice, payment, at), {
                type: 'payment',
                at,
                amount: payment.amount,
                reference: payment.reference,
                ...byOf(event),
              }),
              version: invoice.version,
            })),
        );
        return json(202, await invoices.get(payment.invoiceId));
      };
      // A replay answers what the first request recorded (the reference makes recording again harmless, but it would race).
      return key
        ? paymentKeys.perform(
            key,
            payment,
            async () => payment.reference,
            async ({ replay }) => (replay ? json(202, await invoices.get(payment.invoiceId)) : record()),
          )
        : record();
    },

    'POST /invoices/{id}/events': async (event) => {
      const id = pathParam(event);
      const input = parseBody(event, invoiceEventSchema);
      const customerId = await customerOfInvoice(id);
      const at = deps.clock.now().toISOString();
      await changeInvoices(deps, customerId, (invoices, today, policy, customer) =>
        invoices
          .filter((invoice) => invoice.id === id)
          .map((invoice) => ({
            ...withHistory(invoice, applyInvoiceEvent(invoice, withDisputeOwner(input, customer), at, today, policy.dunning), {
              type: input.type,
              at,
              ...byOf(event),
            }),
            version: invoice.version,
          })),
      );
      if (input.type === 'dispute') await notifyDispute(deps, customerId, id);
      if (input.type === 'resolve-dispute') await notifyDisputeResolved(deps, customerId, id);
      return json(202, await invoices.get(id));
    },

    /** Whole-file semantics: every row is checked first; one bad row and nothing is written. Re-importing updates. */
    'POST /invoices/import': async (event) => {
      const text = bodyText(event);
      if (!text.trim())
        throw new DomainError(
          'invalid',
          'request body is required: CSV with the header invoice_number,customer_id,issue_date,due_date,currency,amount,amount_paid',
        );
      const parsed = parseInvoiceCsv(text, MAX_IMPORT_ROWS);
      // Every problem at once, an unknown customer on each of its lines among them, in line order.
      const unknownCustomers: CsvProblem[] = [];
      for (const [customerId, lines] of parsed.customerLines)
        if (!(await customers.getCustomer(customerId)))
          for (const line of lines)
            unknownCustomers.push({ line, column: 'customer_id', problem: `no customer "${customerId}"`, value: customerId });
      const problems = [...parsed.errors, ...unknownCustomers].sort((a, b) => a.line - b.line);
      if (problems.length) throw new DomainError('invalid', `${problems.length} problem(s); nothing was imported`, { details: problems });
      if (parsed.invoices.length > SYNC_IMPORT_ROWS) {
        const job = await importJobs.create(text, parsed.invoices);
        await deps.workflows.start(IMPORT_WORKFLOW, importExecutionName(job.id), { jobId: job.id });
        return json(202, job, { location: `/invoices/imports/${job.id}` });
      }
      // Every id is claimed for its customer first (all or none), so a file that meets another
      // customer's invoice writes nothing, and the counts come from the claims, not from retries.
      const created = await invoices.claimIds(parsed.invoices);
      await upsertAll(parsed.invoices);
      return json(200, { rows: parsed.invoices.length, created: created.size, updated: parsed.invoices.length - created.size });
    },

    'GET /invoices/imports/{id}': async (event) => {
      const id = pathParam(event);
      const job = await importJobs.get(id);
      if (!job) throw new DomainError('not-found', `import ${id} not found`);
      return json(200, job);
    },

    'POST /customers/{id}/dunning/events': async (event) => {
      const customerId = pathParam(event);
      const { customer, policy } = await customerContext(deps, customerId);
      const body = parseBody(event, suspensionEventSchema);
      // A refusal gives times in the caller's zone (the service manager's for the bootstrap token).
      const zone = await callerZone(
        deps.store,
        actorOf(event),
        await staffZone(deps.store, customer.team.serviceManager, customer.timezone),
      );
      const outcome = await decideSuspension(deps, customerId, body.type === 'approve-suspension', body.round, zone, actorOf(event));
      if (!outcome.ok) throw new DomainError('conflict', outcome.reason);
      return json(202, dunningView(outcome.state, policy.dunning));
    },

    'GET /customers/{id}/dunning': async (event) => {
      const customerId = pathParam(event);
      const customer = await customers.getCustomer(customerId);
      if (!customer) throw new DomainError('not-found', `customer ${customerId} not found`);
      const { policy } = await contextOf(deps, customer);
      return json(200, dunningView(await invoices.dunningState(customerId), policy.dunning));
    },

    /** The suspensions waiting for a service manager's answer, across customers (at most MAX_APPROVALS_LISTED). */
    'GET /dunning/approvals': async () => {
      const waiting = [];
      let after: string | undefined;
      do {
        const page = await customers.listCustomers(500, after);
        const states = await invoices.dunningStates(page.customers.map((customer) => customer.id));
        const byId = new Map(page.customers.map((customer) => [customer.id, customer]));
        for (const state of states)
          if (state.approval?.state === 'pending' && waiting.length < MAX_APPROVALS_LISTED) {
            const customer = byId.get(state.customerId);
            waiting.push({
              customerId: state.customerId,
              customerName: customer?.name ?? state.customerId,
              round: state.approval.round,
              proposedAt: state.approval.at,
              suspensionDate: state.suspensionDate ?? null,
            });
          }
        after = page.next;
      } while (after && waiting.length < MAX_APPROVALS_LISTED);
      waiting.sort((a, b) => a.proposedAt.localeCompare(b.proposedAt));
      return json(200, { count: waiting.length, approvals: waiting });
    },

    /**
     * Who needs a person, and who gets what next: each customer with money past due, a promise or
     * an open dispute; the ones needing attention first, then by when the dunning run mails them.
     */
    'GET /dunning/worklist': async (event) => {
      const page = validate(event.queryStringParameters ?? {}, worklistQuery);
      const owed = await invoices.byStatus('open');
      const byId = byCustomer(owed);
      const ids = [...byId.keys()];
      const [found, states] = await Promise.all([customers.customersById(ids), invoices.dunningStates(ids)]);
      const stateOf = new Map(states.map((state) => [state.customerId, state]));
      const policies = new Map<string, Promise<Policy>>();
      const now = deps.clock.now();
      const entries: WorklistEntry[] = [];
      for (const customer of found) {
        if (!policies.has(customer.policy))
          policies.set(
            customer.policy,
            contextOf(deps, customer).then((context) => context.policy),
          );
        const policy = await policies.get(customer.policy)!;
        const today = DateTime.fromJSDate(now, { zone: customer.timezone }).toISODate()!;
        const entry = worklistEntry(customer, byId.get(customer.id)!, stateOf.get(customer.id), policy.dunning, today);
        if (entry) entries.push(entry);
      }
      entries.sort(byUrgency);
      const start = page.after ? entries.findIndex((entry) => entry.customerId === page.after) + 1 : 0;
      const lines = entries.slice(start, start + page.limit);
      const more = start + page.limit < entries.length;
      return json(200, { count: entries.length, customers: lines, ...(more ? { next: lines.at(-1)!.customerId } : {}) });
    },

    /** The AR KPIs now; with `by=week`, DSO, CEI and the receivable per currency at the end of each of the last `weeks` weeks. */
    'GET /kpis/ar': async (event) => {
      const trend = event.queryStringParameters?.by !== undefined ? validate(event.queryStringParameters, arTrendQuery) : undefined;
      const all = (await Promise.all(invoiceStatuses.map((status) => invoices.byStatus(status)))).flat();
      return json(200, trend ? arTrend(all, deps.clock.now(), trend.weeks) : arKpis(all, deps.clock.now()));
    },

    /** Stripe-compatible invoice webhooks, verified by the Stripe-Signature scheme (the stripe package). */
    'POST /webhooks/stripe': async (event) => {
      const signature = event.headers?.['stripe-signature'];
      if (!signature) throw new DomainError('unauthorized', 'missing Stripe-Signature header');
      const secret = await deps.settings.stripeWebhookSecret();
      // The stripe package refuses old timestamps only; one from the future is as replayable.
      const signedAt = Number(/(?:^|,)\s*t=(\d{1,12})(?:,|$)/.exec(signature)?.[1]);
      if (signedAt * 1000 > Date.now() + STRIPE_TOLERANCE_SECONDS * 1000)
        throw new DomainError('unauthorized', 'Stripe-Signature: timestamp is more than 5 minutes in the future');
      // Loaded on the first Stripe event: few requests need it, and it is a sixth of the function's code.
      const { default: Stripe } = await import('stripe');
      let stripeEvent: unknown;
      try {
        stripeEvent = new Stripe('sk_unused').webhooks.constructEvent(bodyText(event), signature, secret, STRIPE_TOLERANCE_SECONDS);
      } catch (error) {
        throw new DomainError('unauthorized', `Stripe-Signature: ${(error as Error).message}`);
      }
      return json(200, await applyStripeEvent(deps, stripeEvent));
    },
  };
}

/** The schemas the receivables routes validate requests with, by route key (for the API's description). */
export const receivableRequestSchemas = {
  'POST /invoices': { body: newInvoiceSchema },
  'GET /invoices': { query: invoicePageQuery },
  'POST /invoices/{id}/events': { body: invoiceEventSchema },
  'POST /payments': { body: paymentSchema },
  'POST /customers/{id}/dunning/events': { body: suspensionEventSchema },
  'GET /dunning/worklist': { query: worklistQuery },
  'GET /kpis/ar': { query: arTrendQuery },
};
