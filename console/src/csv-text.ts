/**
 * What a spreadsheet may run as a formula: =, +, - or @ (or their fullwidth forms, which some
 * spreadsheets read as the same), after any leading blanks or line breaks; or a cell that starts
 * with a tab or a line break.
 */
const FORMULA_START = /^[\s\u3000]*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20]|^[\t\r\n]/;

/**
 * A table as CSV (RFC 4180): quoted where a cell holds a comma, quote or line break. A text cell
 * a spreadsheet would run as a formula (FORMULA_START, and not a number) is prefixed with ',
 * so an export opened by an auditor cannot run what a customer or sender wrote.
 */
export function csvText(rows: (string | number | null | undefined)[][]): string {
  const cell = (value: string | number | null | undefined) => {
    const text = value === null || value === undefined ? '' : String(value);
    const safe = typeof value !== 'number' && FORMULA_START.test(text) && Number.isNaN(Number(text)) ? `'${text}` : text;
    return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
  };
  return `${rows.map((row) => row.map(cell).join(',')).join('\r\n')}\r\n`;
}
