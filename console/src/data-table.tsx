import type { ComponentChildren } from 'preact';
import { ListActions, type Rows } from './list-actions.tsx';

/** A column: its heading, what a row shows in it, and (where the shown cell is markup) its plain value for CSV. */
export interface DataColumn<T> {
  label: string;
  cell: (row: T) => ComponentChildren;
  text?: (row: T) => string | number | null | undefined;
  /** A class for the cell of a row that needs a person's eye (e.g. "late"). */
  className?: (row: T) => string | undefined;
}

/**
 * A captioned table of rows with an export of its rows as CSV ("none." when there are none), and
 * "More …" while the server has more pages. The export is the columns' values unless `exportAs`
 * names other rows (an export may hold more than the screen shows).
 */
export function DataTable<T>({
  caption,
  columns,
  rows,
  rowKey,
  filename,
  exportAs,
  more,
}: {
  caption: string;
  columns: DataColumn<T>[];
  rows: T[];
  rowKey: (row: T) => string;
  filename: string;
  exportAs?: { label: string; rows: () => Rows };
  more?: { label: string; load: () => Promise<void> };
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
                <td key={column.label} class={column.className?.(row)}>
                  {column.cell(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <ListActions
        more={more}
        exportAs={{
          // "Issues" → "issues", "RFOs" stays "RFOs".
          label: exportAs?.label ?? `Export ${caption.replace(/^[A-Z](?=[a-z])/, (first) => first.toLowerCase())} as CSV`,
          filename,
          rows:
            exportAs?.rows ??
            (() => [
              columns.map((column) => column.label),
              ...rows.map((row) =>
                columns.map((column) => (column.text ? column.text(row) : (column.cell(row) as string | number | null))),
              ),
            ]),
        }}
      />
    </>
  );
}
