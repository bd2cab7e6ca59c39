import { describe, expect, it } from 'vitest';
import { arKpis, arTrend } from '../../modules/receivables/ar-kpis.ts';
import { applyPayment, upsertInvoice, type Invoice } from '../../modules/receivables/invoices.ts';

const AT = '2026-11-20T09:00:00.000Z';
const invoice = (id: string, currency: string, amount: number, dunnedAt?: string): Invoice => ({
  ...upsertInvoice(
    undefined,
    { id, customerId: 'c', issueDate: '2026-10-01', dueDate: '2026-10-31', currency, amount, amountPaid: 0 },
    AT,
    '2026-11-20',
  ),
  ...(dunnedAt ? { dunnedAt } : {}),
});

describe('money is never mixed', () => {
  it('EUR and AUD are reported apart; the top-level money fields are null when there are several currencies', () => {
    const kpis = arKpis([invoice('E-1', 'EUR', 1_000), invoice('A-1', 'AUD', 4_800)], new Date('2026-11-30T12:00:00Z'));
    expect(kpis.currency).toBeNull();
    expect(kpis.openAmount).toBeNull();
    expect(kpis.aging).toBeNull();
    expect(kpis.openInvoices).toBe(2);
    expect(kpis.byCurrency.EUR.openAmount).toBe(1_000);
    expect(kpis.byCurrency.AUD.openAmount).toBe(4_800);
    expect(kpis.byCurrency.AUD.aging['1-30']).toBe(4_800);
  });

  it('one currency: the money fields at the top as before, with the currency named', () => {
    const kpis = arKpis([invoice('E-1', 'EUR', 1_000)], new Date('2026-11-30T12:00:00Z'));
    expect([kpis.currency, kpis.openAmount]).toEqual(['EUR', 1_000]);
    expect(kpis.byCurrency.EUR.openAmount).toBe(1_000);
  });

  it('an overpayment of 48,000 on a 4,800 invoice settles it, is kept as overpaid 43,200, and recovers 4,800, not 48,000', () => {
    const dunned = invoice('A-2', 'AUD', 4_800, '2026-11-02T09:00:00.000Z');
    const paid = applyPayment(dunned, { invoiceId: 'A-2', amount: 48_000, date: '2026-11-25', reference: 'big' }, AT);
    expect([paid.status, paid.amountPaid, paid.overpaid]).toEqual(['paid', 4_800, 43_200]);
    const kpis = arKpis([paid], new Date('2026-11-30T12:00:00Z'));
    expect([kpis.recoveredAfterDunning, kpis.overpaid]).toEqual([4_800, 43_200]);
  });
});

describe('AR trend by week (DSO, CEI, receivable as they stood at each week end)', () => {
  it('counts an invoice from its issue date and a payment from its date; the last week is what GET /kpis/ar says now', () => {
    const partly = applyPayment(invoice('E-1', 'EUR', 1_000), { invoiceId: 'E-1', amount: 400, date: '2026-11-25', reference: 'p1' }, AT);
    const later = upsertInvoice(
      undefined,
      { id: 'E-2', customerId: 'c', issueDate: '2026-11-20', dueDate: '2026-12-20', currency: 'EUR', amount: 500, amountPaid: 0 },
      AT,
      '2026-11-20',
    );
    const now = new Date('2026-11-30T12:00:00Z');
    const trend = arTrend([partly, later], now, 3);
    expect(trend.weeks.map((week) => [week.asOf, week.byCurrency.EUR.receivable])).toEqual([
      ['2026-11-16', 1_000],
      ['2026-11-23', 1_500],
      ['2026-11-30', 1_100],
    ]);
    const current = arKpis([partly, later], now);
    expect(trend.weeks[2].byCurrency.EUR).toEqual({ receivable: current.openAmount, dsoDays: current.dsoDays, ceiPct: current.ceiPct });
    expect(trend.weeks[0].byCurrency.EUR.dsoDays).toBeGreaterThan(0);
  });
});
