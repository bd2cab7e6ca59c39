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
  /** The cell as the file has it (the first 40 characters). */
  value?: string;
}

/** A file refused as a whole (not CSV, a wrong header, too many rows): its lines are not read. */
const refusedWhole = (problem: CsvProblem) => ({ invoices: [], errors: [problem], customerLines: new Map<string, number[]>() });

/** Plain decimals only: Number() would also read "0x10", "1e2", "+1" and " " as amounts. */
const DECIMAL = /^-?\d{1,15}(\.\d{1,6})?$/;
const number = (text: string) => (DECIMAL.test(text) ? Number(text) : Number.NaN);

/** Parses an invoice CSV (csv-parse); every problem is reported with its line and column, and no row is returned when there is one. */
export function parseInvoiceCsv(
  text: string,
  maxRows: number,
): { invoices: NewInvoice[]; errors: CsvProblem[]; customerLines: Map<string, number[]> } {
  let records: string[][];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true, trim: true });
  } catch (error) {
    const lines = (error as { lines?: number }).lines;
    return refusedWhole({ line: lines ?? 0, column: '(file)', problem: `not valid CSV: ${(error as Error).message}` });
  }
  const [header, ...rows] = records;
  const errors: CsvProblem[] = [];
  if (!header || header.join(',').toLowerCase() !== CSV_HEADER.join(',')) {
    return refusedWhole({ line: 1, column: '(header)', problem: `expected the header ${CSV_HEADER.join(',')}` });
  }
  if (rows.length > maxRows)
    return refusedWhole({ line: maxRows + 2, column: '(file)', problem: `more than ${maxRows} rows; split the file` });
  const invoices: NewInvoice[] = [];
  const seen = new Map<string, number>();
  /** The lines naming each customer id that can be one, bad lines too: whether each exists is checked in the same pass. */
  const customerLines = new Map<string, number[]>();
  rows.forEach((row, index) => {
    const line = index + 2;
    if (row.length !== CSV_HEADER.length) {
      errors.push({ line, column: '(row)', problem: `${row.length} columns, expected ${CSV_HEADER.length}` });
      return;
    }
    const cells = Object.fromEntries(CSV_HEADER.map((column, at) => [column, row[at]])) as Record<(typeof CSV_HEADER)[number], string>;
    const [id, customerId, issueDate, dueDate, currency, amount, amountPaid] = row;
    if (newInvoiceSchema.shape.customerId.safeParse(customerId).success)
      customerLines.set(customerId, [...(customerLines.get(customerId) ?? []), line]);
    // Every problem of the line at once: an amount that is no decimal is reported, and the rest of the line is still checked.
    const notDecimal = new Set<string>();
    for (const [column, text] of [
      ['amount', amount],
      ['amount_paid', amountPaid || '0'],
    ] as const)
      if (!DECIMAL.test(text)) {
        notDecimal.add(column);
        errors.push({ line, column, problem: `"${text.slice(0, 40)}" is not a decimal number such as 1250.00`, value: text.slice(0, 40) });
      }
    const result = newInvoiceSchema.safeParse({
      id,
      customerId,
      issueDate,
      dueDate,
      currency,
      amount: notDecimal.has('amount') ? 1 : number(amount),
      amountPaid: notDecimal.has('amount_paid') || amountPaid === '' ? 0 : number(amountPaid),
    });
    if (!result.success) {
      const columns = new Set<string>(notDecimal);
      for (const issue of result.error.issues) {
        const column = FIELD[String(issue.path[0])] ?? '(row)';
        // One problem a column; a comparison with a column already wrong (paid more than a negative amount) says nothing new.
        if (columns.has(column) || (column === 'amount_paid' && columns.has('amount'))) continue;
        errors.push({
          line,
          column,
          problem: issue.message,
          ...(column in cells ? { value: cells[column as keyof typeof cells].slice(0, 40) } : {}),
        });
        columns.add(column);
      }
      return;
    }
    if (notDecimal.size) return;
    const first = seen.get(result.data.id);
    if (first)
      errors.push({ line, column: 'invoice_number', problem: `"${result.data.id}" is also on line ${first}`, value: result.data.id });
    seen.set(result.data.id, line);
    invoices.push(result.data);
  });
  return errors.length ? { invoices: [], errors, customerLines } : { invoices, errors, customerLines };
}
