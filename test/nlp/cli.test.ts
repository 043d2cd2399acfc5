import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/core/config.ts';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'nunchi-cli-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function cli(args: string[], input?: string) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', ...args], {
    cwd: PROJECT_ROOT,
    input,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, LOG_LEVEL: 'warn' },
  });
}

interface LineRecord {
  line: number;
  language?: string;
  tokens: string[];
  truncated?: boolean;
  error?: { code: string; message: string };
}

const parseLines = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as LineRecord);

describe('tokenize CLI', () => {
  it('prints tagged tokens of one text', () => {
    const result = cli(['tokenize', '--pos', '아버지가방에들어가신다']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^아버지\/NNG 가\/JKS 방\/NNG 에\/JKB 들어가\/VV 신다\//);
  });

  it('prints JSON with --json', () => {
    const result = cli(['tokenize', '--json', '--lang', 'en', "Didn't love it"]);
    expect(result.status).toBe(0);
    const parsed = JSON.parse(result.stdout) as { tokens: string[]; truncated: boolean };
    expect(parsed.tokens).toEqual(['did', 'not', 'NOT_love', 'NOT_it']);
    expect(parsed.truncated).toBe(false);
  });

  it('streams a file one JSON line per input line, in order', () => {
    const kinds = [
      (index: number) => `영화 ${index}번`,
      (index: number) => `movie ${index}`,
      () => '',
    ];
    const lines = Array.from({ length: 4500 }, (_, index) => kinds[index % 3](index));
    lines[10] = '$(touch x) `ls`';
    const file = path.join(scratch, 'reviews.txt');
    writeFileSync(file, `${lines.join('\r\n')}\n`);
    const result = cli(['tokenize', '--file', file]);
    expect(result.status).toBe(0);
    const records = parseLines(result.stdout);
    expect(records).toHaveLength(lines.length);
    records.forEach((record, index) => expect(record.line).toBe(index + 1));
    expect(records[0].tokens).toEqual(['영화', '0', '번']);
    expect(records[4].tokens).toEqual(['movie', '4']);
    expect(records[2].error?.code).toBe('TEXT_EMPTY');
    expect(records[2].tokens).toEqual([]);
    expect(records[4497].tokens).toEqual(['영화', '4497', '번']);
    expect(records[4498].tokens).toEqual(['movie', '4498']);
    expect(records[4499].error?.code).toBe('TEXT_EMPTY');
  });

  it('reads stdin for --file -', () => {
    const result = cli(['tokenize', '--file', '-'], 'good film\n최고\n');
    expect(result.status).toBe(0);
    expect(parseLines(result.stdout).map((record) => record.tokens)).toEqual([
      ['good', 'film'],
      ['최고'],
    ]);
  });

  it('reports a missing file with NOT_FOUND', () => {
    const result = cli(['tokenize', '--file', path.join(scratch, 'missing.txt')]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('NOT_FOUND');
  });

  it('explains how to pass text that starts with a dash', () => {
    const rejected = cli(['tokenize', '-n']);
    expect(rejected.status).toBe(1);
    expect(rejected.stderr).toContain('tokenize -- -n');
    const accepted = cli(['tokenize', '--lang', 'ko', '--', '-n']);
    expect(accepted.stdout.trim()).toBe('- n');
  });

  it('rejects an unknown language', () => {
    const result = cli(['tokenize', '--lang', 'fr', 'bonjour']);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('--lang must be ko or en');
  });
});
