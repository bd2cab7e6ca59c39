import { parse } from 'csv-parse/sync';
import { newInvoiceSchema, type NewInvoice } from './invoices.ts';

export const CSV_HEADER = ['invoice_number', 'customer_id', 'issue_date', 'due_date', 'currency', 'amount', 'amount_paid'] as const;
const FIELD: Record<string, (typeof CSV_HEADER)[number]> = {
  id: 'invoice_number',
  customerId: 'customer_id',
  issueDate: 'issue_date',
  dueDate: 'due_date',
  currency: 'currency',
  amount: 'amount',
  amountPaid: 'amount_paid',
};

export interface CsvProblem {
  line: number;
  column: string;
  problem: string;
}

/** Plain decimals only: Number() would also read "0x10", "1e2", "+1" and " " as amounts. */
const DECIMAL = /^-?\d{1,15}(\.\d{1,6})?$/;
const number = (text: string) => (DECIMAL.test(text) ? Number(text) : Number.NaN);

/** Parses an invoice CSV (csv-parse); every problem is reported with its line and column, and no row is returned when there is one. */
export function parseInvoiceCsv(text: string, maxRows: number): { invoices: NewInvoice[]; errors: CsvProblem[] } {
  let records: string[][];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true, trim: true });
  } catch (error) {
    const lines = (error as { lines?: number }).lines;
    return { invoices: [], errors: [{ line: lines ?? 0, column: '(file)', problem: `not valid CSV: ${(error as Error).message}` }] };
  }
  const [header, ...rows] = records;
  const errors: CsvProblem[] = [];
  if (!header || header.join(',').toLowerCase() !== CSV_HEADER.join(',')) {
    return { invoices: [], errors: [{ line: 1, column: '(header)', problem: `expected the header ${CSV_HEADER.join(',')}` }] };
  }
  if (rows.length > maxRows)
    return { invoices: [], errors: [{ line: maxRows + 2, column: '(file)', problem: `more than ${maxRows} rows; split the file` }] };
  const invoices: NewInvoice[] = [];
  const seen = new Map<string, number>();
  rows.forEach((row, index) => {
    const line = index + 2;
    if (row.length !== CSV_HEADER.length) {
      errors.push({ line, column: '(row)', problem: `${row.length} columns, expected ${CSV_HEADER.length}` });
      return;
    }
    const [id, customerId, issueDate, dueDate, currency, amount, amountPaid] = row;
    const notDecimal = [
      ['amount', amount],
      ['amount_paid', amountPaid || '0'],
    ].filter(([, text]) => !DECIMAL.test(text));
    for (const [column, text] of notDecimal)
      errors.push({ line, column, problem: `"${text.slice(0, 40)}" is not a decimal number such as 1250.00` });
    if (notDecimal.length) return;
    const result = newInvoiceSchema.safeParse({
      id,
      customerId,
      issueDate,
      dueDate,
      currency,
      amount: number(amount),
      amountPaid: amountPaid === '' ? 0 : number(amountPaid),
    });
    if (!result.success) {
      const columns = new Set<string>();
      for (const issue of result.error.issues) {
        const column = FIELD[String(issue.path[0])] ?? '(row)';
        if (!columns.has(column)) errors.push({ line, column, problem: issue.message });
        columns.add(column);
      }
      return;
    }
    const first = seen.get(result.data.id);
    if (first) errors.push({ line, column: 'invoice_number', problem: `"${result.data.id}" is also on line ${first}` });
    seen.set(result.data.id, line);
    invoices.push(result.data);
  });
  return errors.length ? { invoices: [], errors } : { invoices, errors };
}
