import { parse } from 'csv-parse/sync';
import { describeContactProblem, parseUid } from '../domain/contactFormats.js';

/** One data row of an import file, by column name, with the line it starts on (the header is line 1). */
export interface CsvRow {
  line: number;
  values: Record<string, string>;
  /** Set when the row does not have as many fields as the header. */
  fieldCountProblem?: string;
}

export type CsvRowsResult = { ok: true; rows: CsvRow[] } | { ok: false; problem: string };

export interface CsvColumns {
  required: readonly string[];
  optional: readonly string[];
  /** At least one of these must be among the columns. */
  oneOf?: readonly string[];
}

// csv-parse's own messages can quote a fragment of the file, which may be a PIN; we say where, not what.
const CSV_PROBLEMS: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'a quoted field is never closed (it runs to the end of the file)',
  INVALID_OPENING_QUOTE: 'a quote mark inside an unquoted field (quote the whole field and double the inner quotes)',
  CSV_INVALID_CLOSING_QUOTE: 'text right after a closing quote (double the inner quotes)',
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: 'text right after a closing quote (double the inner quotes)',
  CSV_MAX_RECORD_SIZE: 'a row is too large',
};

const lineBreaks = (text: string) => text.match(/\r\n|\r|\n/g)?.length ?? 0;

/**
 * Parses an import file with a real CSV parser. A header row is required and names the columns
 * (any order, case-insensitive). A file that is not valid CSV is refused as a whole, so nothing
 * from it is applied; rows with the wrong number of fields are returned flagged, to be reported.
 */
export function readCsvRows(text: string, columns: CsvColumns): CsvRowsResult {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    // With `info: true` each record comes as { record, info }; the typings do not follow the option.
    records = parse(text, { bom: true, info: true, relax_column_count: true, skip_empty_lines: true, max_record_size: 64 * 1024 }) as unknown as typeof records;
  } catch (err) {
    const e = err as { code?: string; lines?: number };
    const where = typeof e.lines === 'number' ? `line ${e.lines}: ` : '';
    return { ok: false, problem: `${where}not valid CSV: ${CSV_PROBLEMS[e.code ?? ''] ?? 'the file cannot be parsed'}` };
  }
  // Lines holding only spaces are blank lines too.
  const nonBlank = records.filter((r) => r.record.some((field) => field.trim() !== ''));
  const [header, ...data] = nonBlank;
  const known = [...columns.required, ...columns.optional];
  const expected = known.join(',');
  if (!header) return { ok: false, problem: `the file is empty; the first line must be the header ${expected}` };
  const names = header.record.map((n) => n.trim().toLowerCase());
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length > 0) {
    return { ok: false, problem: `line ${header.info.lines}: unknown column${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `"${n}"`).join(', ')}; the header must use ${expected}` };
  }
  const repeated = names.filter((n, i) => names.indexOf(n) !== i);
  if (repeated.length > 0) return { ok: false, problem: `line ${header.info.lines}: column "${repeated[0]}" appears twice in the header` };
  const missing = columns.required.filter((n) => !names.includes(n));
  if (missing.length > 0) {
    return { ok: false, problem: `line ${header.info.lines}: the header lacks the column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (expected ${expected})` };
  }
  if (columns.oneOf && !columns.oneOf.some((n) => names.includes(n))) {
    return { ok: false, problem: `line ${header.info.lines}: the header needs at least one of the columns ${columns.oneOf.join(', ')}` };
  }
  const rows = data.map(({ record, info }): CsvRow => {
    // info.lines is where the record ends; quoted fields may span lines.
    const line = info.lines - record.reduce((n, field) => n + lineBreaks(field), 0);
    const values: Record<string, string> = {};
    names.forEach((name, i) => (values[name] = record[i] ?? ''));
    const row: CsvRow = { line, values };
    if (record.length !== names.length) row.fieldCountProblem = `has ${record.length} field${record.length === 1 ? '' : 's'}; the header has ${names.length}`;
    return row;
  });
  return { ok: true, rows };
}

/** Rows whose key appears more than once in the file, so that none of them is applied by guess. */
export function duplicateKeys(rows: readonly { line: number; key: string | undefined }[]): Map<number, number[]> {
  const linesByKey = new Map<string, number[]>();
  for (const { line, key } of rows) if (key) linesByKey.set(key, [...(linesByKey.get(key) ?? []), line]);
  const others = new Map<number, number[]>();
  for (const lines of linesByKey.values()) {
    if (lines.length > 1) for (const line of lines) others.set(line, lines.filter((l) => l !== line));
  }
  return others;
}

/**
 * The checks every import row starts with: the row's field count and its uid. Problems are added
 * to `problems`; returns the normalised uid, if valid.
 */
export function checkRowStart(row: CsvRow, problems: string[]): string | undefined {
  if (row.fieldCountProblem) problems.push(`row: ${row.fieldCountProblem}`);
  const raw = row.values['uid'];
  const uid = parseUid(raw ?? '');
  if (!raw?.trim()) problems.push('uid: missing');
  else if (!uid.ok) problems.push(`uid: ${describeContactProblem(uid.problem)}`);
  return uid.ok ? uid.value : undefined;
}

/**
 * Applies `apply` to the rows of an import, up to IMPORT_BATCH at a time, and returns the results
 * in row order. The rows of one import are for distinct accounts (a repeated uid is rejected before
 * anything is applied), so their writes can share the store's durable writes (group commit)
 * instead of waiting for one fsync each: 100,000 rows in seconds, not minutes.
 */
export async function applyInBatches<T, R>(rows: readonly T[], apply: (row: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let start = 0; start < rows.length; start += IMPORT_BATCH) {
    results.push(...(await Promise.all(rows.slice(start, start + IMPORT_BATCH).map(apply))));
  }
  return results;
}

const IMPORT_BATCH = 500;
