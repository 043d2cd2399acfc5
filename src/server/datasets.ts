/**
 * @module Data set uploads: the body (or multipart field "file") is parsed as CSV, TSV, NSMC or
 * JSONL and rejected when it has no usable rows. Accepted files are stored under DATA_DIR/datasets,
 * named by their SHA-256, so the same content uploaded twice is stored once.
 */
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Context } from 'hono';
import { NunchiError } from '../core/errors.ts';
import { writeFileAtomic } from '../models/registry.ts';
import type { DatasetFormat, DatasetRecord } from '../store/index.ts';
import {
  assertUsableDataset,
  detectFormat,
  parseLabelledDataset,
} from '../training/datasets/index.ts';
import { readUpload } from './body.ts';
import type { AppContext } from './context.ts';

const FORMAT_BY_TYPE: Record<string, DatasetFormat> = {
  'text/csv': 'csv',
  'text/tab-separated-values': 'tsv',
  'application/x-ndjson': 'jsonl',
  'application/jsonl': 'jsonl',
  'application/x-jsonlines': 'jsonl',
};

const FORMAT_BY_EXTENSION: Record<string, DatasetFormat> = {
  '.csv': 'csv',
  '.tsv': 'tsv',
  '.txt': 'tsv',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
};

/** Picks the format from the content type or file name; NSMC is recognised inside TSV. */
function chooseFormat(content: string, contentType: string, fileName?: string): DatasetFormat {
  const declared =
    FORMAT_BY_TYPE[contentType] ??
    (fileName ? FORMAT_BY_EXTENSION[path.extname(fileName).toLowerCase()] : undefined);
  if (!declared) {
    throw new NunchiError(
      'BAD_REQUEST',
      `Unsupported data set type "${contentType || 'none'}"; send Content-Type text/csv, ` +
        'text/tab-separated-values or application/x-ndjson, or a multipart field "file" named *.csv, *.tsv or *.jsonl',
      { field: 'Content-Type' },
    );
  }
  return declared === 'tsv' && detectFormat(content) === 'nsmc' ? 'nsmc' : declared;
}

/**
 * Validates and stores an uploaded data set; returns the stored record and whether it is new.
 *
 * @throws NunchiError DATASET_INVALID when the content is not UTF-8 or has too few usable rows.
 */
export async function saveUploadedDataset(
  c: Context,
  context: AppContext,
  actor: string,
): Promise<{ record: DatasetRecord; created: boolean }> {
  const upload = await readUpload(c, 'file');
  let content: string;
  try {
    content = new TextDecoder('utf-8', { fatal: true }).decode(upload.bytes);
  } catch {
    throw new NunchiError('DATASET_INVALID', 'Data set is not valid UTF-8 text; save it as UTF-8');
  }
  const format = chooseFormat(content, upload.contentType, upload.fileName);
  const parsed = parseLabelledDataset(content, format);
  assertUsableDataset(parsed, upload.fileName ?? 'uploaded data set');
  const sha256 = createHash('sha256').update(upload.bytes).digest('hex');
  const existing = context.store.findDatasetBySha256(sha256);
  if (existing) return { record: existing, created: false };
  const folder = path.join(context.config.dataDir, 'datasets');
  const file = path.join(folder, `${sha256}.${format === 'nsmc' ? 'tsv' : format}`);
  try {
    await mkdir(folder, { recursive: true });
    await writeFileAtomic(file, content);
  } catch (error) {
    throw new NunchiError(
      'STORAGE_FAILED',
      `Cannot store the data set at ${file}: ${(error as Error).message}. ` +
        'Free disk space or make DATA_DIR writable, then upload it again.',
      { file },
      { cause: error },
    );
  }
  const record = context.store.saveDataset({
    id: `ds-${sha256.slice(0, 16)}`,
    sha256,
    format,
    path: file,
    bytes: upload.bytes.byteLength,
    totalRows: parsed.totalRows,
    acceptedRows: parsed.examples.length,
    skippedLines: parsed.skippedLines,
    actor,
    createdAt: new Date().toISOString(),
  });
  return { record, created: true };
}
