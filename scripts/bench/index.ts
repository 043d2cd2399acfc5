/**
 * @module `npm run bench -- [name ...]`: runs the named benchmarks (all when none is named), prints
 * each table, stores the raw figures under var/bench and rewrites that benchmark's section of
 * BENCHMARKS.md with the machine, backend, commit and date it ran on.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/core/config.ts';
import { backendInfo } from '../../src/core/tf.ts';

/** Result of one benchmark: a markdown body (tables and a short note) and its raw figures. */
export interface BenchSection {
  title: string;
  markdown: string;
  data: unknown;
  /** Backend the measured code ran on, when that was another process (such as a server). */
  backend?: string;
}

export type Benchmark = (args: string[]) => Promise<BenchSection>;

const BENCHMARKS = ['nlp', 'train', 'predict', 'digit', 'http', 'memory'] as const;

function commitId(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: PROJECT_ROOT })
      .toString()
      .trim();
  } catch {
    return 'unknown';
  }
}

function describeRun(section: BenchSection): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const backend = backendInfo();
  const backendText =
    section.backend ??
    (backend ? `${backend.name}${backend.gpu ? ' (GPU)' : ''}` : 'not loaded in the bench process');
  return (
    `Machine: ${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, ` +
    `Node ${process.version}. Backend: ${backendText}. Commit ${commitId()}, ` +
    `${new Date().toISOString().slice(0, 10)}.`
  );
}

function writeSection(name: string, section: BenchSection): void {
  const file = path.join(PROJECT_ROOT, 'BENCHMARKS.md');
  const start = `<!-- bench:${name}:start -->`;
  const end = `<!-- bench:${name}:end -->`;
  const body = `${start}\n## ${section.title}\n\n${describeRun(section)}\n\n${section.markdown.trim()}\n${end}`;
  let text = existsSync(file)
    ? readFileSync(file, 'utf8')
    : '# Benchmarks\n\nWritten by `npm run bench`; each section names the run it came from.\n';
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  text =
    from >= 0 && to > from
      ? text.slice(0, from) + body + text.slice(to + end.length)
      : `${text.trimEnd()}\n\n${body}\n`;
  writeFileSync(file, text);
}

async function main(argv: string[]): Promise<void> {
  const names = argv.filter((arg) => !arg.startsWith('--'));
  const options = argv.filter((arg) => arg.startsWith('--'));
  const selected = names.length > 0 ? names : [...BENCHMARKS];
  for (const name of selected) {
    if (!(BENCHMARKS as readonly string[]).includes(name)) {
      throw new Error(`Unknown benchmark "${name}"; expected one of ${BENCHMARKS.join(', ')}`);
    }
  }
  const outDir = path.join(PROJECT_ROOT, 'var', 'bench');
  mkdirSync(outDir, { recursive: true });
  for (const name of selected) {
    process.stderr.write(`bench ${name}: running\n`);
    const module = (await import(`./${name}.ts`)) as { default: Benchmark };
    const section = await module.default(options);
    process.stdout.write(`\n## ${section.title}\n\n${section.markdown.trim()}\n`);
    writeFileSync(path.join(outDir, `${name}.json`), `${JSON.stringify(section.data, null, 2)}\n`);
    writeSection(name, section);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
