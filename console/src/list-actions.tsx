import { downloadCsv } from './csv.ts';

export type Rows = (string | number | null | undefined)[][];

/** Under a list the server pages: "More …" while there is more, and the export of what is shown as CSV. */
export function ListActions({
  more,
  exportAs,
}: {
  more?: { label: string; load: () => Promise<void> };
  exportAs: { label: string; filename: string; rows: () => Rows };
}) {
  return (
    <div class="buttons">
      {more && (
        <button type="button" class="secondary" onClick={() => void more.load()}>
          {more.label}
        </button>
      )}
      <button type="button" class="secondary" onClick={() => downloadCsv(exportAs.filename, exportAs.rows())}>
        {exportAs.label}
      </button>
    </div>
  );
}
