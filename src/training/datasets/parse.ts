/**
 * @module Parsers for labelled sentiment data: NSMC (tab-separated id, document, label with a
 * header), CSV and TSV with text and label columns, and JSONL with `text` and `label` fields.
 * Malformed rows are skipped and reported by line number rather than failing the whole file.
 */
import { NunchiError } from '../../core/errors.ts';
import type { LabelledExample } from '../registry.ts';

export type DatasetFormat = 'csv' | 'tsv' | 'jsonl' | 'nsmc';

export interface ParsedDataset {
  examples: LabelledExample[];
  /** 1-based line numbers of rows that were skipped as malformed, in file order. */
  skippedLines: number[];
  /** Data rows seen, header and blank lines excluded. */
  totalRows: number;
}

const TEXT_COLUMNS = ['text', 'document', 'review', 'sentence', 'content', 'comment'];
const LABEL_COLUMNS = ['label', 'sentiment', 'polarity', 'target', 'class'];
const POSITIVE_LABELS = new Set(['1', '1.0', 'positive', 'pos']);
const NEGATIVE_LABELS = new Set(['0', '0.0', 'negative', 'neg']);

/** Returns 1 for a positive label, 0 for a negative one, undefined for anything else. */
export function parseLabel(value: unknown): number | undefined {
  if (value === 1 || value === 0) return value;
  if (value === true) return 1;
  if (value === false) return 0;
  if (typeof value !== 'string') return undefined;
  const normalized = value.trim().toLowerCase();
  if (POSITIVE_LABELS.has(normalized)) return 1;
  if (NEGATIVE_LABELS.has(normalized)) return 0;
  return undefined;
}

interface SourceLine {
  /** 1-based line number. */
  number: number;
  /** Undefined when the bytes are not valid UTF-8. */
  text: string | undefined;
}

/** Splits content into lines, marking lines whose bytes are not valid UTF-8. */
function splitLines(content: string | Buffer): SourceLine[] {
  if (typeof content === 'string') {
    return content.split(/\r?\n/).map((text, i) => ({
      number: i + 1,
      // A replacement character means an earlier lossy decode met invalid bytes.
      text: text.includes('\uFFFD') ? undefined : text,
    }));
  }
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const lines: SourceLine[] = [];
  let start = content[0] === 0xef && content[1] === 0xbb && content[2] === 0xbf ? 3 : 0;
  for (let i = start; i <= content.length; i += 1) {
    if (i < content.length && content[i] !== 0x0a) continue;
    let end = i;
    if (end > start && content[end - 1] === 0x0d) end -= 1;
    let text: string | undefined;
    try {
      text = decoder.decode(content.subarray(start, end));
    } catch {
      text = undefined;
    }
    lines.push({ number: lines.length + 1, text });
    start = i + 1;
  }
  return lines;
}

/** Guesses the format from the first non-blank line. */
export function detectFormat(content: string | Buffer): DatasetFormat {
  const head = (typeof content === 'string' ? content : content.subarray(0, 4096).toString('utf8'))
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .find((line) => line.trim() !== '');
  if (head === undefined) return 'csv';
  if (head.trimStart().startsWith('{')) return 'jsonl';
  if (/^id\tdocument\tlabel$/i.test(head.trim())) return 'nsmc';
  if (head.includes('\t')) return 'tsv';
  return 'csv';
}

/** Splits one CSV record that may span lines; returns its fields and the lines it consumed. */
function readCsvRecord(lines: SourceLine[], from: number): { fields: string[]; next: number } {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  let index = from;
  let text = lines[index].text ?? '';
  let position = 0;
  for (;;) {
    if (position >= text.length) {
      if (quoted && index + 1 < lines.length && lines[index + 1].text !== undefined) {
        index += 1;
        field += '\n';
        text = lines[index].text ?? '';
        position = 0;
        continue;
      }
      fields.push(field);
      return { fields, next: index + 1 };
    }
    const char = text[position];
    position += 1;
    if (quoted) {
      if (char === '"' && text[position] === '"') {
        field += '"';
        position += 1;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"' && field === '') quoted = true;
    else if (char === ',') {
      fields.push(field);
      field = '';
    } else field += char;
  }
}

interface Columns {
  text: number;
  label: number;
  hasHeader: boolean;
}

/** Finds the text and label columns from a header, or assumes text,label without one. */
function findColumns(first: string[]): Columns {
  const names = first.map((name) => name.trim().toLowerCase());
  const text = names.findIndex((name) => TEXT_COLUMNS.includes(name));
  const label = names.findIndex((name) => LABEL_COLUMNS.includes(name));
  if (text >= 0 && label >= 0) return { text, label, hasHeader: true };
  if (
    first.length >= 2 &&
    parseLabel(first[0]) !== undefined &&
    parseLabel(first[1]) === undefined
  ) {
    return { text: 1, label: 0, hasHeader: false };
  }
  return {
    text: 0,
    label: Math.max(1, first.length - 1),
    hasHeader: parseLabel(first.at(-1)) === undefined,
  };
}

function parseDelimited(lines: SourceLine[], format: DatasetFormat): ParsedDataset {
  const examples: LabelledExample[] = [];
  const skippedLines: number[] = [];
  let totalRows = 0;
  let columns: Columns | undefined;
  let index = 0;
  while (index < lines.length) {
    const line = lines[index];
    if (line.text !== undefined && line.text.trim() === '') {
      index += 1;
      continue;
    }
    let fields: string[];
    if (line.text === undefined) {
      fields = [];
      index += 1;
    } else if (format === 'csv') {
      const record = readCsvRecord(lines, index);
      fields = record.fields;
      index = record.next;
    } else {
      fields = line.text.split('\t');
      index += 1;
    }
    if (columns === undefined && line.text !== undefined) {
      columns = format === 'nsmc' ? { text: 1, label: 2, hasHeader: true } : findColumns(fields);
      if (columns.hasHeader) continue;
    }
    totalRows += 1;
    const text = columns ? fields[columns.text]?.trim() : undefined;
    const label = columns ? parseLabel(fields[columns.label]) : undefined;
    if (!text || label === undefined) skippedLines.push(line.number);
    else examples.push({ text, label });
  }
  return { examples, skippedLines, totalRows };
}

function parseJsonLines(lines: SourceLine[]): ParsedDataset {
  const examples: LabelledExample[] = [];
  const skippedLines: number[] = [];
  let totalRows = 0;
  for (const line of lines) {
    if (line.text !== undefined && line.text.trim() === '') continue;
    totalRows += 1;
    let record: unknown;
    try {
      record = line.text === undefined ? undefined : JSON.parse(line.text);
    } catch {
      record = undefined;
    }
    const fields = (record ?? {}) as Record<string, unknown>;
    const rawText = TEXT_COLUMNS.map((name) => fields[name]).find((v) => typeof v === 'string');
    const label = parseLabel(
      LABEL_COLUMNS.map((name) => fields[name]).find((v) => v !== undefined),
    );
    const text = typeof rawText === 'string' ? rawText.trim() : '';
    if (!text || label === undefined) skippedLines.push(line.number);
    else examples.push({ text, label });
  }
  return { examples, skippedLines, totalRows };
}

/**
 * Parses labelled sentiment data. Labels are 1/0, positive/negative or pos/neg. A row with a
 * missing or other label, empty text or invalid UTF-8 is skipped, and its line number reported.
 *
 * @param format detected from the first line when omitted (`{` JSONL, the NSMC header, a tab TSV,
 *   else CSV).
 */
export function parseLabelledDataset(
  content: string | Buffer,
  format: DatasetFormat = detectFormat(content),
): ParsedDataset {
  const lines = splitLines(content);
  if (typeof content === 'string' && lines[0]?.text) {
    lines[0].text = lines[0].text.replace(/^\uFEFF/, '');
  }
  return format === 'jsonl' ? parseJsonLines(lines) : parseDelimited(lines, format);
}

/**
 * Checks that a parsed data set is fit to train on.
 *
 * @throws NunchiError DATASET_INVALID when it has no usable row or when more than half of its
 *   rows were skipped, naming the first skipped line numbers.
 */
export function assertUsableDataset(parsed: ParsedDataset, source: string): void {
  const skipped = parsed.skippedLines.length;
  if (parsed.examples.length > 0 && skipped * 2 <= parsed.totalRows) return;
  const shown = parsed.skippedLines.slice(0, 20).join(', ');
  throw new NunchiError(
    'DATASET_INVALID',
    `${source}: ${skipped} of ${parsed.totalRows} rows are malformed (lines ${shown || 'none'}` +
      `${skipped > 20 ? ', ...' : ''}); expected text and a label of 1/0 or positive/negative ` +
      'in CSV, TSV, JSONL or NSMC format. Fix the rows and retry.',
    { source, skippedLines: parsed.skippedLines.slice(0, 1000), totalRows: parsed.totalRows },
  );
}
