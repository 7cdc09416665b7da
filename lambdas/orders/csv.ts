/**
 * Orders as CSV (RFC 4180) that a spreadsheet opens safely: every cell quoted, and a cell that a
 * spreadsheet would read as a formula (=, +, -, @, or a tab or carriage return first: OWASP's
 * "CSV injection") starts with a single quote, shown as text. Pure: no AWS types.
 */
import type { Assignee, OrderSummary } from './order.ts';

export interface ExportRow extends OrderSummary {
  customer: { name: string; email: string } | null;
  assignee: Assignee | null;
}

export const CSV_COLUMNS = [
  'Order',
  'Placed at',
  'Status',
  'Customer',
  'Customer e-mail',
  'Quantity',
  'Description',
  'Assigned to',
  'Chat',
] as const;

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: string | number): string {
  let text = String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return `"${text.replaceAll('"', '""')}"`;
}

export const csvLine = (cells: readonly (string | number)[]) => `${cells.map(csvCell).join(',')}\r\n`;

/** The header line, after a byte order mark: spreadsheets then read the file as UTF-8. */
export const csvHeader = () => `\uFEFF${csvLine(CSV_COLUMNS)}`;

export const csvRow = (row: ExportRow) =>
  csvLine([
    row.id,
    row.createdAt,
    row.status,
    row.customer?.name ?? '(deleted account)',
    row.customer?.email ?? '',
    row.quantity,
    row.description,
    row.assignee?.name ?? '',
    row.roomOpen ? 'open' : 'closed',
  ]);
