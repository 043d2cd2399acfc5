/**
 * `npx tsx scripts/soak.ts [--requests=10000] [--warm-up=1500] [--concurrency=8] [--models-dir=D]`:
 * the full soak run over HTTP and the fake Discord gateway (see test/soak/run-soak.ts). The
 * warm-up fills the bounded caches (discord.js keeps 200 messages per channel) before the first
 * memory sample. Prints the memory samples and any unexpected outcome, writes the report to
 * var/soak/report.json, and exits with 1 when an outcome was unexpected or RSS or live tensors
 * moved more than 5%.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { PROJECT_ROOT } from '../src/core/config.ts';
import { runSoak } from '../test/soak/run-soak.ts';
import { mebibytes } from '../test/soak/workload.ts';

const LIMIT = 0.05;

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '10000' },
    'warm-up': { type: 'string', default: '1500' },
    concurrency: { type: 'string', default: '8' },
    'models-dir': { type: 'string' },
  },
});
const requests = Number(values.requests);
const concurrency = Number(values.concurrency);
const warmUp = Number(values['warm-up']);
if (![requests, warmUp, concurrency].every(Number.isInteger) || requests < 10) {
  throw new Error('--requests (at least 10), --warm-up and --concurrency must be integers');
}

const report = await runSoak({ requests, warmUp, concurrency, modelsDir: values['models-dir'] });
const lines = [
  `${report.requests} requests after ${warmUp} warm-up requests, in ${report.seconds.toFixed(1)} s ` +
    `(${(report.requests / report.seconds).toFixed(1)}/s), models: ${report.models.join(', ')}`,
  `mix: ${JSON.stringify(report.counts)}`,
  '',
  '| requests | RSS MiB | V8 heap used MiB | live tensors |',
  '| ---: | ---: | ---: | ---: |',
  ...report.samples.map(
    (sample) =>
      `| ${sample.requests} | ${mebibytes(sample.rssBytes)} | ${mebibytes(sample.heapUsedBytes)} | ${sample.liveTensors} |`,
  ),
  '',
  `RSS change ${(report.rssChange * 100).toFixed(2)}%, live tensor change ` +
    `${(report.tensorChange * 100).toFixed(2)}%, unexpected outcomes: ${report.unexpected.length}`,
  ...report.unexpected.slice(0, 20).map((line) => `  ${line}`),
];
process.stdout.write(`${lines.join('\n')}\n`);
const outDir = path.join(PROJECT_ROOT, 'var', 'soak');
mkdirSync(outDir, { recursive: true });
writeFileSync(path.join(outDir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
const failed =
  report.unexpected.length > 0 ||
  Math.abs(report.rssChange) > LIMIT ||
  Math.abs(report.tensorChange) > LIMIT;
process.exit(failed ? 1 : 0);
