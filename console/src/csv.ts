/**
 * A table as CSV (RFC 4180): quoted where a cell holds a comma, quote or line break. A text cell
 * a spreadsheet would run as a formula (=, +, -, @ first, and not a number) is prefixed with ',
 * so an export opened by an auditor cannot run what a customer or sender wrote.
 */
export function csvText(rows: (string | number | null | undefined)[][]): string {
  const cell = (value: string | number | null | undefined) => {
    const text = value === null || value === undefined ? '' : String(value);
    const safe = /^[=+\-@\t\r]/.test(text) && Number.isNaN(Number(text)) ? `'${text}` : text;
    return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
  };
  return `${rows.map((row) => row.map(cell).join(',')).join('\r\n')}\r\n`;
}

/** Lets the browser save the rows as a CSV file. */
export function downloadCsv(filename: string, rows: (string | number | null | undefined)[][]): void {
  const link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob([csvText(rows)], { type: 'text/csv' }));
  link.download = filename;
  link.click();
  URL.revokeObjectURL(link.href);
}
