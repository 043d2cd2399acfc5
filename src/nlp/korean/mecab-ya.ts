/**
 * @module The API of the npm package mecab-ya (`pos`, `morphs`, `nouns`), reimplemented over the
 * shared analyzer. mecab-ya 0.1.1 runs `echo TEXT | mecab` under /bin/sh, which mangles text
 * such as `-n` or `\c`. Here the text goes to MeCab on stdin and never reaches a shell. Each function takes
 * a Node-style callback like mecab-ya, or returns a promise when called without one.
 */
import { getKoreanAnalyzer } from './analyzer.ts';
import type { Morpheme } from './morpheme.ts';

/** mecab-ya's `pos` output: [surface, tag] pairs. */
export type PosPair = [string, string];
export type MecabYaCallback<T> = (error: Error | null, result?: T) => void;

/** Noun tags mecab-ya's `nouns` keeps: common and proper nouns. */
const NOUN_TAGS = new Set(['NNG', 'NNP']);

function run<T>(
  text: string,
  select: (morphemes: Morpheme[]) => T,
  callback?: MecabYaCallback<T>,
): Promise<T> | undefined {
  const promise = getKoreanAnalyzer()
    .then((analyzer) => analyzer.analyze(text))
    .then(select);
  if (!callback) return promise;
  promise.then(
    (result) => callback(null, result),
    (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
  );
  return undefined;
}

/** Returns [surface, tag] for each morpheme, e.g. [['아버지', 'NNG'], ['가', 'JKS'], ...]. */
export function pos(text: string): Promise<PosPair[]>;
export function pos(text: string, callback: MecabYaCallback<PosPair[]>): void;
export function pos(text: string, callback?: MecabYaCallback<PosPair[]>) {
  return run(text, (morphemes) => morphemes.map((m): PosPair => [m.surface, m.pos]), callback);
}

/** Returns the surface of each morpheme. */
export function morphs(text: string): Promise<string[]>;
export function morphs(text: string, callback: MecabYaCallback<string[]>): void;
export function morphs(text: string, callback?: MecabYaCallback<string[]>) {
  return run(text, (morphemes) => morphemes.map((m) => m.surface), callback);
}

/** Returns the surfaces of the common (NNG) and proper (NNP) nouns. */
export function nouns(text: string): Promise<string[]>;
export function nouns(text: string, callback: MecabYaCallback<string[]>): void;
export function nouns(text: string, callback?: MecabYaCallback<string[]>) {
  return run(
    text,
    (morphemes) => morphemes.filter((m) => NOUN_TAGS.has(m.pos)).map((m) => m.surface),
    callback,
  );
}
