/**
 * One dunning run over a seeded ledger: INVOICES invoices over INVOICES/5 customers (due dates
 * spread over the last 45 days and the next 20, a share paid), then one run at 09:00 Berlin on a
 * business day, with every workflow step it causes. Reports what the run read against what was
 * due (the sparse index should make that 1.0), DynamoDB requests and the AWS cost per 1,000
 * invoices dunned at list prices.
 */
import { DateTime } from 'luxon';
import { InvoiceRepository } from '../modules/receivables/invoice-repository.ts';
import { CustomerRepository } from '../modules/customers/index.ts';
import { businessCalendar } from '../kernel/calendar.ts';
import { customerSchema } from '../modules/customers/customer.ts';
import type { DunningState } from '../modules/receivables/dunning.ts';
import { upsertInvoice, type Invoice } from '../modules/receivables/invoices.ts';
import { defaultPolicy } from '../modules/policies/policy.ts';
import { nextDue } from '../modules/receivables/dunning-service.ts';
import { acme } from '../test/support/runtime.ts';
import { BENCH_TOKEN, pool, startBenchRuntime } from './bench-runtime.ts';

const PRICE = {
  transition: 0.025 / 1000,
  lambdaRequest: 0.2 / 1e6,
  lambdaGbSecond: 0.0000133334,
  writeUnit: 0.625 / 1e6,
  readUnit: 0.125 / 1e6,
  email: 0.1 / 1000,
};
const LAMBDA_GB = 0.25;
const SEED_CONCURRENCY = 32;

/** Deterministic pseudo-random numbers, so every run seeds the same ledger. */
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

export async function dunningRun(invoiceCount: number) {
  const { runtime, stop } = await startBenchRuntime();
  try {
    runtime.scheduler.stop(); // one run, invoked below
    const runAt = DateTime.fromISO('2026-12-02T09:00', { zone: 'Europe/Berlin' }); // a Wednesday
    await fetch(`${runtime.urls.api}/_local/clock`, {
      method: 'POST',
      headers: { authorization: `Bearer ${BENCH_TOKEN}` },
      body: JSON.stringify({ to: runAt.minus({ minutes: 30 }).toUTC().toISO() }),
    });
    const store = runtime.store;
    const customerRepo = new CustomerRepository(store);
    const invoices = new InvoiceRepository(store);
    const calendar = businessCalendar(acme, defaultPolicy.businessHours);
    const customers = Math.max(1, Math.floor(invoiceCount / 5));
    const rand = random(42);
    const today = runAt.toISODate()!;
    const seeded = performance.now();
    let due = 0;
    let dunned = 0; // open invoices of the customers due: what this run's emails are about
    const plans = Array.from({ length: customers }, (_, c) => {
      const ledger: Invoice[] = Array.from({ length: 5 }, (_, n) => {
        const dueDate = runAt.minus({ days: Math.floor(rand() * 65) - 20 }).toISODate()!;
        const amount = Math.round(100 + rand() * 5000);
        const paid = rand() < 0.5;
        return upsertInvoice(
          undefined,
          {
            id: `B${c}-${n}`,
            customerId: `cust-${c}`,
            issueDate: DateTime.fromISO(dueDate).minus({ days: 30 }).toISODate()!,
            dueDate,
            currency: 'EUR',
            amount,
            amountPaid: paid ? amount : 0,
          },
          runAt.toUTC().toISO()!,
          today,
        );
      });
      const state: DunningState = { customerId: `cust-${c}`, generation: 1, sent: {} };
      const nextDunningAt = nextDue(state, ledger, defaultPolicy, calendar, runAt.toJSDate());
      if (nextDunningAt && nextDunningAt <= runAt.toUTC().toISO()!) {
        due++;
        dunned += ledger.filter((invoice) => invoice.status === 'open').length;
      }
      return { customerId: `cust-${c}`, ledger, state: { ...state, nextDunningAt } };
    });
    await pool(plans, SEED_CONCURRENCY, async ({ customerId, ledger, state }) => {
      await customerRepo.putCustomer(
        customerSchema.parse({
          ...acme,
          id: customerId,
          name: `Customer ${customerId}`,
          emailDomains: [],
          contacts: [{ name: 'Payer', email: `pay@${customerId}.test`, roles: ['billing'] }],
        }),
        runAt.toJSDate(),
      );
      if (!(await invoices.save(ledger, state))) throw new Error(`seeding ${customerId} failed`);
    });
    const seedSeconds = (performance.now() - seeded) / 1000;

    await fetch(`${runtime.urls.api}/_local/clock`, {
      method: 'POST',
      headers: { authorization: `Bearer ${BENCH_TOKEN}` },
      body: JSON.stringify({ to: runAt.toUTC().toISO() }),
    });
    const before = {
      requests: store.requests,
      ...store.consumed,
      transitions: runtime.engine.counters.transitions,
      emails: runtime.mailer.sent,
    };
    runtime.invocations.clear();
    const started = performance.now();
    const result = (await runtime.invoke('dunning-run', {})) as { read: number; started: number; signalled: number };
    await runtime.tracker.idle();
    const wallSeconds = (performance.now() - started) / 1000;

    const runStats = runtime.invocations.get('dunning-run')!;
    const invocations = [...runtime.invocations.values()].reduce(
      (sum, stats) => ({ count: sum.count + stats.count, ms: sum.ms + stats.ms }),
      { count: 0, ms: 0 },
    );
    const emails = runtime.mailer.sent - before.emails;
    const counts = {
      transitions: runtime.engine.counters.transitions - before.transitions,
      invocations: invocations.count,
      lambdaMs: invocations.ms,
      requests: store.requests - before.requests,
      writeUnits: store.consumed.write - before.write,
      readUnits: store.consumed.read - before.read,
      emails,
    };
    const cost =
      counts.transitions * PRICE.transition +
      counts.invocations * PRICE.lambdaRequest +
      (counts.lambdaMs / 1000) * LAMBDA_GB * PRICE.lambdaGbSecond +
      counts.writeUnits * PRICE.writeUnit +
      counts.readUnits * PRICE.readUnit +
      counts.emails * PRICE.email;
    return {
      invoices: invoiceCount,
      customers,
      due,
      dunned,
      seedSeconds,
      wallSeconds,
      run: result,
      runMs: runStats.ms,
      counts,
      costPer1000Dunned: (cost / Math.max(1, dunned)) * 1000,
    };
  } finally {
    await stop();
  }
}

export function printDunningRun(result: Awaited<ReturnType<typeof dunningRun>>): void {
  const { counts: c } = result;
  console.log(
    `\nDunning run (${result.invoices.toLocaleString('en')} invoices over ${result.customers.toLocaleString('en')} customers, seeded in ${result.seedSeconds.toFixed(1)} s; one run at 09:00 Berlin)`,
  );
  console.log(
    `  wall time (run and every step)  ${result.wallSeconds.toFixed(1)} s   (the run itself ${(result.runMs / 1000).toFixed(1)} s)`,
  );
  console.log(
    `  index items read / due          ${result.run.read} / ${result.due} = ${(result.run.read / Math.max(1, result.due)).toFixed(2)} (goal < 1.5)`,
  );
  console.log(
    `  workflows started / signalled   ${result.run.started} / ${result.run.signalled}; invoices dunned ${result.dunned.toLocaleString('en')}`,
  );
  console.log(
    `  DynamoDB requests               ${c.requests.toLocaleString('en')} (${c.writeUnits.toFixed(0)} WRU, ${c.readUnits.toFixed(0)} RRU); transitions ${c.transitions}; invocations ${c.invocations}; emails ${c.emails}`,
  );
  console.log(`  AWS cost per 1,000 invoices dunned  $${result.costPer1000Dunned.toFixed(3)} (list prices, SES included)`);
}
