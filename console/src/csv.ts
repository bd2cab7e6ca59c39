import { csvText } from './csv-text.ts';

/** Lets the browser save the rows as a CSV file. */
export function downloadCsv(filename: string, rows: (string | number | null | undefined)[][]): void {
  const link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob([csvText(rows)], { type: 'text/csv' }));
  link.download = filename;
  link.click();
  URL.revokeObjectURL(link.href);
}
