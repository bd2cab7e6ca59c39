import type { ComponentChildren } from 'preact';
import { ListActions } from './list-actions.tsx';

/** A column: its heading, what a row shows in it, and (where the shown cell is markup) its plain value for CSV. */
export interface DataColumn<T> {
  label: string;
  cell: (row: T) => ComponentChildren;
  text?: (row: T) => string | number | null | undefined;
}

/** A captioned table of rows with an export of its rows as CSV; "None." when there are none. */
export function DataTable<T>({
  caption,
  columns,
  rows,
  rowKey,
  filename,
}: {
  caption: string;
  columns: DataColumn<T>[];
  rows: T[];
  rowKey: (row: T) => string;
  filename: string;
}) {
  if (rows.length === 0)
    return (
      <p>
        <strong>{caption}:</strong> none.
      </p>
    );
  return (
    <>
      <table class="issues">
        <caption>{caption}</caption>
        <thead>
          <tr>
            {columns.map((column) => (
              <th scope="col" key={column.label}>
                {column.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={rowKey(row)}>
              {columns.map((column) => (
                <td key={column.label}>{column.cell(row)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <ListActions
        exportAs={{
          // "Issues" → "issues", "RFOs" stays "RFOs".
          label: `Export ${caption.replace(/^[A-Z](?=[a-z])/, (first) => first.toLowerCase())} as CSV`,
          filename,
          rows: () => [
            columns.map((column) => column.label),
            ...rows.map((row) => columns.map((column) => (column.text ? column.text(row) : (column.cell(row) as string | number | null)))),
          ],
        }}
      />
    </>
  );
}
