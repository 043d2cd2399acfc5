import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isNunchiError } from '../../src/core/errors.ts';
import {
  assertUsableDataset,
  detectFormat,
  parseLabelledDataset,
  readLabelledFile,
} from '../../src/training/datasets/index.ts';

describe('parseLabelledDataset', () => {
  it('reads NSMC rows and skips malformed ones by line', () => {
    const content = [
      'id\tdocument\tlabel',
      '1\t재밌어요 최고\t1',
      '2\t\t0',
      '3\t별로였다\tyes',
      '4\t지루함\t',
      '5\t또 보고 싶다\t1',
    ].join('\n');
    const parsed = parseLabelledDataset(content);
    expect(detectFormat(content)).toBe('nsmc');
    expect(parsed.totalRows).toBe(5);
    expect(parsed.examples).toEqual([
      { text: '재밌어요 최고', label: 1 },
      { text: '또 보고 싶다', label: 1 },
    ]);
    expect(parsed.skippedLines).toEqual([3, 4, 5]);
  });

  it('reads quoted CSV fields with commas and line breaks', () => {
    const content = 'text,label\n"Great, really great",positive\n"two\nlines",0\nplain,1\n';
    const parsed = parseLabelledDataset(content, 'csv');
    expect(parsed.examples).toEqual([
      { text: 'Great, really great', label: 1 },
      { text: 'two\nlines', label: 0 },
      { text: 'plain', label: 1 },
    ]);
    expect(parsed.skippedLines).toEqual([]);
  });

  it('finds columns from a header in any order', () => {
    const parsed = parseLabelledDataset('label\tsentence\nneg\tawful film\npos\tloved it\n');
    expect(parsed.examples).toEqual([
      { text: 'awful film', label: 0 },
      { text: 'loved it', label: 1 },
    ]);
  });

  it('reads JSONL and reports bad JSON lines', () => {
    const content = [
      '{"text": "good", "label": 1}',
      '{"text": "bad", "label": "negative"}',
      '{"text": "broken", "label": ',
      '{"text": "", "label": 1}',
      '{"review": "fine", "sentiment": 0}',
    ].join('\n');
    const parsed = parseLabelledDataset(content);
    expect(parsed.examples.map((example) => example.text)).toEqual(['good', 'bad', 'fine']);
    expect(parsed.skippedLines).toEqual([3, 4]);
  });

  it('skips lines with invalid UTF-8 bytes', () => {
    const content = Buffer.concat([
      Buffer.from('text,label\ngood movie,1\n'),
      Buffer.from([0x62, 0x61, 0x64, 0xff, 0xfe, 0x2c, 0x30, 0x0a]),
      Buffer.from('fine,0\n'),
    ]);
    const parsed = parseLabelledDataset(content, 'csv');
    expect(parsed.examples).toEqual([
      { text: 'good movie', label: 1 },
      { text: 'fine', label: 0 },
    ]);
    expect(parsed.skippedLines).toEqual([3]);
  });

  it('rejects a data set whose rows are mostly malformed', () => {
    const parsed = parseLabelledDataset('text,label\na,yes\nb,maybe\nc,1\n', 'csv');
    expect(parsed.skippedLines).toEqual([2, 3]);
    let caught: unknown;
    try {
      assertUsableDataset(parsed, 'upload.csv');
    } catch (error) {
      caught = error;
    }
    expect(isNunchiError(caught, 'DATASET_INVALID')).toBe(true);
    expect((caught as Error).message).toContain('lines 2, 3');
  });

  it('reads a file by extension through readLabelledFile', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'nunchi-data-'));
    const file = path.join(dir, 'reviews.jsonl');
    writeFileSync(file, '{"text":"좋아요","label":1}\n{"text":"싫어요","label":0}\n');
    const parsed = await readLabelledFile(file);
    expect(parsed.examples).toHaveLength(2);
    await expect(readLabelledFile(path.join(dir, 'missing.csv'))).rejects.toMatchObject({
      code: 'DATASET_INVALID',
    });
  });
});
