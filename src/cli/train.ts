/**
 * @module CLI `train <model>` and `evaluate <model>`: thin wrappers over the trainer table that
 * draw a progress bar on stderr and print metrics.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { getConfig } from '../core/config.ts';
import { MODEL_NAMES, type ModelName, type TrainingProgress } from '../core/contracts.ts';
import { NunchiError } from '../core/errors.ts';
import { getTrainer } from '../training/registry.ts';
import type { CliCommand } from './command.ts';

function parseModelName(value: string | undefined): ModelName {
  if (!value || !(MODEL_NAMES as readonly string[]).includes(value)) {
    throw new NunchiError(
      'BAD_REQUEST',
      `Unknown model "${value ?? ''}"; expected ${MODEL_NAMES.join(', ')}`,
    );
  }
  return value as ModelName;
}

function formatSeconds(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  return `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, '0')}s`;
}

/** Renders one progress line: phase, epoch, a bar over the batches, loss, accuracy and ETA. */
export function formatProgress(progress: TrainingProgress, width = 24): string {
  const fraction = progress.batches > 0 ? Math.min(1, progress.batch / progress.batches) : 0;
  const filled = Math.round(fraction * width);
  const bar = `${'#'.repeat(filled)}${'.'.repeat(width - filled)}`;
  const parts = [
    `${progress.phase}`,
    `epoch ${progress.epoch}/${progress.epochs}`,
    `[${bar}] ${progress.batch}/${progress.batches}`,
  ];
  if (progress.loss !== undefined) parts.push(`loss ${progress.loss.toFixed(4)}`);
  if (progress.accuracy !== undefined) parts.push(`acc ${(progress.accuracy * 100).toFixed(2)}%`);
  if (progress.validationAccuracy !== undefined) {
    parts.push(`val ${(progress.validationAccuracy * 100).toFixed(2)}%`);
  }
  if (progress.etaSeconds !== undefined) parts.push(`ETA ${formatSeconds(progress.etaSeconds)}`);
  if (progress.message) parts.push(progress.message);
  return parts.join('  ');
}

function printMetricsTable(metrics: Record<string, unknown>): string {
  const rows = Object.entries(metrics)
    .filter(([, value]) => typeof value === 'number')
    .map(([key, value]) => `  ${key.padEnd(24)} ${Number(value).toFixed(4)}`);
  return rows.join('\n');
}

const trainCommand: CliCommand = {
  name: 'train',
  usage: 'train <model> [--data PATH] [--epochs N] [--out DIR] [--limit N] [--json]',
  summary: `train ${MODEL_NAMES.join('|')} and write a new model version`,
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        data: { type: 'string' },
        epochs: { type: 'string' },
        out: { type: 'string' },
        limit: { type: 'string' },
        seed: { type: 'string' },
        json: { type: 'boolean', default: false },
      },
    });
    const name = parseModelName(positionals[0]);
    const version = `v${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-')}`;
    const outDir = path.resolve(
      values.out ?? path.join(getConfig().dataDir, 'models', name, version),
    );
    mkdirSync(path.dirname(outDir), { recursive: true });
    const trainer = await getTrainer(name);
    const interactive = process.stderr.isTTY;
    let lastLine = 0;
    const metadata = await trainer.train({
      outDir,
      version,
      dataPath: values.data,
      epochs: values.epochs === undefined ? undefined : Number(values.epochs),
      limit: values.limit === undefined ? undefined : Number(values.limit),
      seed: values.seed === undefined ? undefined : Number(values.seed),
      onProgress(progress) {
        const now = Date.now();
        const final = progress.batch === progress.batches || progress.phase !== 'training';
        if (!final && now - lastLine < (interactive ? 200 : 5000)) return;
        lastLine = now;
        const line = formatProgress(progress);
        process.stderr.write(interactive ? `\r${line.padEnd(120)}` : `${line}\n`);
      },
    });
    if (interactive) process.stderr.write('\n');
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ outDir, ...metadata.metrics })}\n`);
    } else {
      process.stdout.write(`Model ${name} ${version} written to ${outDir}\n`);
      process.stdout.write(`${printMetricsTable(metadata.metrics)}\n`);
    }
    return 0;
  },
};

const evaluateCommand: CliCommand = {
  name: 'evaluate',
  usage: 'evaluate <model> [--model-dir DIR] [--data PATH] [--images IDX --labels IDX] [--json]',
  summary: 'score a model version on held-out data; --json prints one object with accuracy and n',
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        'model-dir': { type: 'string' },
        data: { type: 'string' },
        images: { type: 'string' },
        labels: { type: 'string' },
        limit: { type: 'string' },
        json: { type: 'boolean', default: false },
      },
    });
    const name = parseModelName(positionals[0]);
    const { resolveServingModelDir } = await import('../models/locate.ts');
    const modelDir = values['model-dir']
      ? path.resolve(values['model-dir'])
      : await resolveServingModelDir(name);
    const trainer = await getTrainer(name);
    const dataPath = values.images ? `${values.images},${values.labels ?? ''}` : values.data;
    const metrics = await trainer.evaluate(modelDir, {
      dataPath,
      limit: values.limit === undefined ? undefined : Number(values.limit),
    });
    if (values.json) process.stdout.write(`${JSON.stringify(metrics)}\n`);
    else process.stdout.write(`${name} (${modelDir})\n${printMetricsTable(metrics)}\n`);
    return 0;
  },
};

export const trainingCommands: CliCommand[] = [trainCommand, evaluateCommand];
