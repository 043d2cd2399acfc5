/**
 * @module Child process that runs one retraining job, off the serving process's event loop. The
 * parent forks it, sends `{ type: 'start', spec }` over IPC and receives progress, then either a
 * `done` message with the metrics of the new version (and of the serving version on the same
 * held-out data) or an `error` message. `{ type: 'cancel' }` aborts the training.
 */
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import type { ModelMetrics, ModelName, TrainingProgress } from '../core/contracts.ts';
import { isNunchiError, NunchiError } from '../core/errors.ts';
import { verifyModelDir, type ModelMetadata } from '../core/model-dir.ts';
import type { BackendRequest } from '../core/tf.ts';
import { parseLabelledDataset, type DatasetFormat } from './datasets/index.ts';
import type { LabelledExample, ModelTrainer } from './registry.ts';

export interface WorkerJobSpec {
  jobId: string;
  model: ModelName;
  version: string;
  /** Temporary directory the new version is written into; it must not exist yet. */
  outDir: string;
  epochs?: number;
  limit?: number;
  dataPath?: string;
  /** Uploaded data set whose accepted rows are added to the training split. */
  dataset?: { file: string; format: DatasetFormat };
  /** User corrections added to the training split. */
  feedback?: LabelledExample[];
  /** Serving version, scored on the same held-out data as the new one. */
  servingDir?: string;
  /** Module exporting `getTrainer(name)`; by default the trainer table in ./registry.ts. */
  trainerModule?: string;
  /** TensorFlow.js backend to initialise first; none is initialised when undefined. */
  tfBackend?: BackendRequest;
}

export type ParentMessage = { type: 'start'; spec: WorkerJobSpec } | { type: 'cancel' };

export type WorkerMessage =
  | { type: 'progress'; progress: TrainingProgress }
  | {
      type: 'done';
      metadata: ModelMetadata;
      metrics: ModelMetrics;
      servingMetrics?: ModelMetrics;
      /** Error message when the held-out test data could not be read; `metrics` are then the trainer's own. */
      heldOutUnavailable?: string;
    }
  | { type: 'error'; code: string; message: string };

/** Shortest interval between two progress messages, except phase changes, in milliseconds. */
const PROGRESS_INTERVAL_MS = 250;

const controller = new AbortController();

function send(message: WorkerMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) return resolve();
    process.send(message, undefined, {}, () => resolve());
  });
}

async function loadTrainer(spec: WorkerJobSpec): Promise<ModelTrainer> {
  const specifier = spec.trainerModule ? pathToFileURL(spec.trainerModule).href : './registry.ts';
  const module = (await import(specifier)) as {
    getTrainer(name: ModelName): Promise<ModelTrainer>;
  };
  return module.getTrainer(spec.model);
}

async function extraExamples(spec: WorkerJobSpec): Promise<LabelledExample[]> {
  const examples: LabelledExample[] = [...(spec.feedback ?? [])];
  if (spec.dataset) {
    const content = await readFile(spec.dataset.file, 'utf8');
    examples.push(...parseLabelledDataset(content, spec.dataset.format).examples);
  }
  return examples;
}

interface ProgressReporter {
  (progress: TrainingProgress): void;
  /** The latest report passed in, sent or not. */
  latest?: TrainingProgress;
}

function progressReporter(): ProgressReporter {
  let last = 0;
  let lastPhase = '';
  const report: ProgressReporter = (progress) => {
    report.latest = progress;
    const now = Date.now();
    if (progress.phase === lastPhase && now - last < PROGRESS_INTERVAL_MS) return;
    last = now;
    lastPhase = progress.phase;
    void send({ type: 'progress', progress });
  };
  return report;
}

async function run(spec: WorkerJobSpec): Promise<void> {
  if (spec.tfBackend) {
    const { initTf } = await import('../core/tf.ts');
    await initTf(spec.tfBackend);
  }
  const trainer = await loadTrainer(spec);
  const onProgress = progressReporter();
  onProgress({ phase: 'loading', epoch: 0, epochs: spec.epochs ?? 0, batch: 0, batches: 0 });
  const extra = await extraExamples(spec);
  const metadata = await trainer.train({
    outDir: spec.outDir,
    version: spec.version,
    epochs: spec.epochs,
    dataPath: spec.dataPath,
    extraExamples: extra.length > 0 ? extra : undefined,
    limit: spec.limit,
    signal: controller.signal,
    onProgress,
  });
  if (controller.signal.aborted) throw new NunchiError('TRAINING_FAILED', 'Training was cancelled');
  const { epoch = 0, epochs = 0 } = onProgress.latest ?? {};
  onProgress({ phase: 'evaluating', epoch, epochs, batch: 0, batches: 0 });
  await verifyModelDir(spec.outDir);
  let metrics: ModelMetrics;
  try {
    metrics = await trainer.evaluate(spec.outDir, { limit: spec.limit });
  } catch (error) {
    // Without the held-out files (MNIST t10k or NSMC test on a fresh clone) the new version
    // cannot be compared with the serving one, so it is kept as a candidate with its own metrics.
    if (!isNunchiError(error, 'DATASET_INVALID')) throw error;
    await send({
      type: 'done',
      metadata,
      metrics: metadata.metrics,
      heldOutUnavailable: error.message,
    });
    return;
  }
  let servingMetrics: ModelMetrics | undefined;
  if (spec.servingDir) {
    // A serving version the new trainer cannot score keeps the accuracy stored in its metadata.
    servingMetrics = await trainer
      .evaluate(spec.servingDir, { limit: spec.limit })
      .catch(() => undefined);
  }
  await send({ type: 'done', metadata, metrics, servingMetrics });
}

process.on('message', (message: ParentMessage) => {
  if (message.type === 'cancel') {
    controller.abort();
    return;
  }
  if (message.type !== 'start') return;
  run(message.spec).then(
    () => process.exit(0),
    async (error: unknown) => {
      const code = isNunchiError(error) ? error.code : 'TRAINING_FAILED';
      const text = error instanceof Error ? error.message : String(error);
      await send({ type: 'error', code, message: text });
      process.exit(1);
    },
  );
});

// The parent's death closes the IPC channel. A worker without its parent cannot report, so it exits.
process.on('disconnect', () => process.exit(1));
