import { type CsvCell, toCsv } from '../lib/csv.ts';

/** Offers `csv` as a file download (no server round trip). */
export function downloadCsv(filename: string, csv: string): void {
  const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Exports a table as it is shown, with exact minor units (lib/csv.ts). */
export function CsvButton({
  name,
  header,
  rows,
  testId,
}: {
  name: string;
  header: string[];
  rows: CsvCell[][];
  testId: string;
}) {
  return (
    <button
      type="button"
      className="small"
      data-testid={testId}
      onClick={() => downloadCsv(name, toCsv(header, rows))}
    >
      Export CSV
    </button>
  );
}
