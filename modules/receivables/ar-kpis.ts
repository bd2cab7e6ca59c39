import { DateTime } from 'luxon';
import { balance, reasonCodes, type Invoice } from './invoices.ts';

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;
const percent = (part: number, whole: number) => (whole ? round((100 * part) / whole, 1) : null);
const days = (from: string, to: string) => DateTime.fromISO(to.slice(0, 10)).diff(DateTime.fromISO(from.slice(0, 10)), 'days').days;

export const agingBuckets = ['current', '1-30', '31-60', '61-90', '91-120', '120+', 'disputed'] as const;
export type AgingBucket = (typeof agingBuckets)[number];

/** The aging bucket of an open invoice on a day (yyyy-MM-dd): "disputed" while a dispute is open, else by days past due. */
export function agingBucket(invoice: Pick<Invoice, 'dueDate' | 'dispute'>, today: string): AgingBucket {
  if (invoice.dispute && !invoice.dispute.resolvedAt) return 'disputed';
  const age = days(invoice.dueDate, today);
  return age <= 0 ? 'current' : age <= 30 ? '1-30' : age <= 60 ? '31-60' : age <= 90 ? '61-90' : age <= 120 ? '91-120' : '120+';
}

/** Receivable of an invoice on a day: its amount less the payments dated by then (credits count from their resolution). */
function receivableOn(invoice: Invoice, date: string): number {
  if (invoice.issueDate > date || invoice.status === 'void') return 0;
  if (invoice.status === 'written-off' && invoice.updatedAt.slice(0, 10) <= date) return 0;
  const paid = invoice.payments.filter((payment) => payment.date <= date).reduce((sum, payment) => sum + payment.amount, 0);
  const credit = invoice.dispute?.resolvedAt && invoice.dispute.resolvedAt.slice(0, 10) <= date ? (invoice.dispute.credit ?? 0) : 0;
  const paidBefore = Math.max(0, invoice.amountPaid - invoice.payments.reduce((sum, payment) => sum + payment.amount, 0)); // paid as imported
  return Math.max(0, invoice.amount - paid - credit - paidBefore);
}

/** What a payment after the first dunning email recovered: at most what was still owed then (an overpayment is no recovery). */
function recoveredOf(invoice: Invoice): number {
  if (!invoice.dunnedAt) return 0;
  const since = invoice.dunnedAt.slice(0, 10);
  const after = invoice.payments.filter((payment) => payment.date >= since).reduce((sum, payment) => sum + payment.amount, 0);
  const paidBefore = Math.max(0, invoice.amountPaid - after);
  return Math.max(0, Math.min(after, invoice.amount - invoice.credit - paidBefore));
}

/** DSO by the countback method: walk back month by month, consuming each month's sales until the receivable is covered. */
function countbackDso(invoices: Invoice[], receivable: number, today: string): number {
  let remaining = receivable;
  let dso = 0;
  for (let back = 0; back < 24 && remaining > 0.005; back++) {
    const monthEnd = DateTime.fromISO(today).minus({ months: back });
    const monthStart = monthEnd.minus({ months: 1 });
    const sales = invoices
      .filter(
        (invoice) => invoice.status !== 'void' && invoice.issueDate > monthStart.toISODate()! && invoice.issueDate <= monthEnd.toISODate()!,
      )
      .reduce((sum, invoice) => sum + invoice.amount, 0);
    const span = monthEnd.diff(monthStart, 'days').days;
    if (sales >= remaining) {
      dso += (remaining / sales) * span;
      remaining = 0;
    } else {
      dso += span;
      remaining -= sales;
    }
  }
  return dso;
}

/** CEI over the 30 days up to `today`: collected / collectible; `endingCurrent` is what was owed and not yet due then. */
function cei(invoices: Invoice[], today: string, endingCurrent: number): number | null {
  const start = DateTime.fromISO(today).minus({ days: 30 }).toISODate()!;
  const beginning = invoices.reduce((sum, invoice) => sum + receivableOn(invoice, start), 0);
  const sales = invoices
    .filter((invoice) => invoice.status !== 'void' && invoice.issueDate > start && invoice.issueDate <= today)
    .reduce((sum, invoice) => sum + invoice.amount, 0);
  const ending = invoices.reduce((sum, invoice) => sum + receivableOn(invoice, today), 0);
  return percent(beginning + sales - ending, beginning + sales - endingCurrent);
}

/**
 * DSO, CEI and the receivable per currency as they stood at the end of each of the last `weeks`
 * weeks (7-day steps ending today, oldest first), from the payments' dates: what the KPI screen
 * draws as a trend.
 */
export function arTrend(invoices: Invoice[], now: Date, weeks: number) {
  const today = DateTime.fromJSDate(now, { zone: 'UTC' });
  const currencies = [...new Set(invoices.map((invoice) => invoice.currency))].sort();
  return {
    by: 'week' as const,
    weeks: Array.from({ length: weeks }, (_, index) => {
      const asOf = today.minus({ weeks: weeks - 1 - index }).toISODate()!;
      const byCurrency = Object.fromEntries(
        currencies.map((currency) => {
          const of = invoices.filter((invoice) => invoice.currency === currency);
          const receivable = of.reduce((sum, invoice) => sum + receivableOn(invoice, asOf), 0);
          const notDue = of.filter((invoice) => invoice.dueDate >= asOf).reduce((sum, invoice) => sum + receivableOn(invoice, asOf), 0);
          return [
            currency,
            { receivable: round(receivable), dsoDays: round(countbackDso(of, receivable, asOf), 1), ceiPct: cei(of, asOf, notDue) },
          ];
        }),
      );
      return { asOf, byCurrency };
    }),
  };
}

/** The money KPIs of invoices in one currency. DSO by the countback method; CEI over the last 30 days. */
function moneyKpis(invoices: Invoice[], today: string) {
  const open = invoices.filter((invoice) => invoice.status === 'open' && balance(invoice) > 0);
  const buckets = { current: 0, '1-30': 0, '31-60': 0, '61-90': 0, '91-120': 0, '120+': 0, disputed: 0 };
  for (const invoice of open) {
    const amount = balance(invoice);
    buckets[agingBucket(invoice, today)] += amount;
  }
  const totalOpen = open.reduce((sum, invoice) => sum + balance(invoice), 0);

  const endingCurrent = open.filter((invoice) => invoice.dueDate >= today).reduce((sum, invoice) => sum + balance(invoice), 0);
  return {
    openAmount: round(totalOpen),
    aging: Object.fromEntries(Object.entries(buckets).map(([name, amount]) => [name, round(amount)])),
    dsoDays: round(countbackDso(invoices, totalOpen, today), 1),
    ceiPct: cei(invoices, today, endingCurrent),
    currentPct: percent(buckets.current, totalOpen),
    recoveredAfterDunning: round(invoices.reduce((sum, invoice) => sum + recoveredOf(invoice), 0)),
    overpaid: round(invoices.reduce((sum, invoice) => sum + (invoice.overpaid ?? 0), 0)),
  };
}

/** The money fields when invoices are in several currencies: null each, the figures are in `byCurrency`. */
type NoMoney = { [field in keyof ReturnType<typeof moneyKpis>]: null };

/**
 * AR KPIs. Money is never added across currencies: `byCurrency` holds the money KPIs of each, and
 * the top-level money fields are those of the one currency, or null when there are several.
 */
export function arKpis(invoices: Invoice[], now: Date) {
  const today = now.toISOString().slice(0, 10);
  const currencies = [...new Set(invoices.map((invoice) => invoice.currency))].sort();
  const byCurrency = Object.fromEntries(
    currencies.map((currency) => [
      currency,
      moneyKpis(
        invoices.filter((invoice) => invoice.currency === currency),
        today,
      ),
    ]),
  );
  const mixed = currencies.length > 1;
  const money = mixed ? undefined : (byCurrency[currencies[0]] ?? moneyKpis([], today));
  const promisesMade = invoices.reduce((sum, invoice) => sum + invoice.promisesMade, 0);
  const promisesKept = invoices.reduce((sum, invoice) => sum + invoice.promisesKept, 0);
  const promisesBroken = invoices.filter((invoice) => invoice.promise?.outcome === 'broken').length;
  const resolvedDisputes = invoices.filter((invoice) => invoice.dispute?.resolvedAt);
  const reasons = Object.fromEntries(
    reasonCodes.map((code) => [
      code,
      invoices.reduce((sum, invoice) => sum + invoice.reasons.filter((reason) => reason.code === code).length, 0),
    ]),
  );

  return {
    asOf: today,
    currency: mixed ? null : (currencies[0] ?? null),
    openInvoices: invoices.filter((invoice) => invoice.status === 'open' && balance(invoice) > 0).length,
    ...(money ?? (Object.fromEntries(Object.keys(moneyKpis([], today)).map((field) => [field, null])) as NoMoney)),
    byCurrency,
    promiseKeptPct: percent(promisesKept, promisesKept + promisesBroken),
    promises: { made: promisesMade, kept: promisesKept, broken: promisesBroken },
    disputeRatePct: percent(invoices.filter((invoice) => invoice.disputes > 0).length, invoices.length),
    disputeResolveDays: resolvedDisputes.length
      ? round(
          resolvedDisputes.reduce((sum, invoice) => sum + days(invoice.dispute!.openedAt, invoice.dispute!.resolvedAt!), 0) /
            resolvedDisputes.length,
          1,
        )
      : null,
    whyNotPaying: reasons,
  };
}
