/**
 * @module Retraining jobs: a FIFO queue that runs one job at a time in a child process
 * (src/training/job-worker.ts), streams its progress to listeners and the store, and commits the
 * result: the new version is verified, renamed into place and promoted when the registry's rule
 * allows. A promotion in progress is recorded first, so a restart after a crash undoes it.
 */
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { rm } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { ModelName, TrainingProgress } from '../core/contracts.ts';
import { NunchiError } from '../core/errors.ts';
import { getLogger } from '../core/logger.ts';
import type { BackendRequest } from '../core/tf.ts';
import type { ModelHost } from '../models/host.ts';
import { decidePromotion, type ModelRegistry } from '../models/registry.ts';
import type { Job, JobRequest, JobResult, Store } from '../store/index.ts';
import type { WorkerJobSpec } from '../training/job-worker.ts';
import { startWorker, stopWorker, type StopReason, type WorkerOutcome } from './worker-process.ts';

/** Shortest interval between two progress writes to the store, in milliseconds. */
const PROGRESS_PERSIST_MS = 1000;

export type JobEvent =
  { type: 'progress'; progress: TrainingProgress } | { type: 'state'; job: Job };

/** Points where tests can stop a job, to simulate a crash at that moment. */
export interface JobHooks {
  /** Runs after CURRENT names the new version and before the promotion is confirmed. */
  afterServingSwitched?(job: Job): Promise<void>;
}

export interface JobManagerOptions {
  store: Store;
  registry: ModelRegistry;
  host: ModelHost;
  /** Module exporting `getTrainer(name)` for the worker; by default the real trainer table. */
  trainerModule?: string;
  /** Backend the worker initialises before training; undefined leaves that to the trainer. */
  tfBackend?: BackendRequest;
  hooks?: JobHooks;
  logger?: Logger;
}

interface RunningJob {
  id: string;
  child?: ChildProcess;
  stop?: StopReason;
  /** Latest progress report, written to the store when the job ends early. */
  progress?: TrainingProgress;
}

const SENTIMENT_MODELS: ModelName[] = ['sentiment-ko', 'sentiment-en'];

function versionStamp(date = new Date()): string {
  return `v${date.toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-')}`;
}

export class JobManager {
  private readonly events = new EventEmitter();
  private readonly queue: string[] = [];
  private running: RunningJob | undefined;
  private closed = false;
  private readonly log: Logger;

  constructor(private readonly options: JobManagerOptions) {
    this.log = options.logger ?? getLogger('train');
    this.events.setMaxListeners(0);
  }

  /**
   * Marks jobs left unfinished by an earlier process as interrupted, undoes a promotion that was
   * not confirmed, and deletes temporary version directories.
   */
  async recover(): Promise<void> {
    const { store, registry } = this.options;
    for (const { job, pendingPromotion } of store.interruptUnfinishedJobs()) {
      this.log.warn({ jobId: job.id, model: job.model }, 'job interrupted by a restart');
      if (!pendingPromotion) continue;
      const serving = await registry.serving(pendingPromotion.model);
      if (serving?.version === pendingPromotion.to && pendingPromotion.from) {
        await registry.rollback(pendingPromotion.model);
        this.log.warn(pendingPromotion, 'unconfirmed promotion undone');
      }
      store.updateJob(job.id, { pendingPromotion: null });
    }
    await registry.removeStagingDirs();
  }

  /**
   * Queues a retraining job for `model`.
   *
   * @throws NunchiError JOB_CONFLICT (with `jobId`) when that model already has a queued or
   *   running job, NOT_FOUND for an unknown data set, BAD_REQUEST for text data on a digit model.
   */
  submit(model: ModelName, request: JobRequest, actor: string): Job {
    const { store } = this.options;
    if (this.closed) throw new NunchiError('INTERNAL', 'The service is shutting down');
    const active = store.activeJob(model);
    if (active) {
      throw new NunchiError(
        'JOB_CONFLICT',
        `Model ${model} is already training in job ${active.id}`,
        {
          jobId: active.id,
        },
      );
    }

    const textual = SENTIMENT_MODELS.includes(model);
    if ((request.dataset || request.includeFeedback) && !textual) {
      throw new NunchiError(
        'BAD_REQUEST',
        `dataset and includeFeedback hold labelled text, so they apply only to ${SENTIMENT_MODELS.join(' and ')}`,
        { model },
      );
    }
    if (request.dataset && !store.getDataset(request.dataset)) {
      throw new NunchiError(
        'NOT_FOUND',
        `No uploaded data set with id "${request.dataset}"; upload one with POST /admin/datasets`,
        { dataset: request.dataset },
      );
    }

    const job = store.createJob({ id: randomUUID(), model, actor, request });
    this.queue.push(job.id);
    this.emit(job.id, { type: 'state', job });
    setImmediate(() => this.pump());
    return job;
  }

  get(id: string): Job | undefined {
    return this.options.store.getJob(id);
  }

  list(): Job[] {
    return this.options.store.listJobs();
  }

  /** Ids of the running job and the queued ones, in order. */
  queueState(): { running: string | undefined; queued: string[] } {
    return { running: this.running?.id, queued: [...this.queue] };
  }

  /**
   * Cancels a queued or running job; a finished job is returned unchanged.
   *
   * @throws NunchiError NOT_FOUND for an unknown id.
   */
  cancel(id: string): Job {
    const job = this.get(id);
    if (!job) throw new NunchiError('NOT_FOUND', `No job with id "${id}"`, { id });
    const queuedAt = this.queue.indexOf(id);
    if (queuedAt >= 0) {
      this.queue.splice(queuedAt, 1);
      return this.finish(id, { state: 'cancelled', error: 'Cancelled before it started' });
    }
    if (this.running?.id === id) {
      this.running.stop ??= 'cancel';
      if (this.running.child) stopWorker(this.running.child);
    }
    return this.get(id) as Job;
  }

  /** Calls `listener` on each progress report and state change of job `id`. */
  subscribe(id: string, listener: (event: JobEvent) => void): () => void {
    this.events.on(id, listener);
    return () => this.events.off(id, listener);
  }

  /**
   * Stops taking jobs, stops the running worker and records the running and queued jobs as
   * interrupted with their last progress.
   */
  async shutdown(): Promise<void> {
    this.closed = true;
    for (const id of this.queue.splice(0)) {
      this.finish(id, {
        state: 'interrupted',
        error: 'The service stopped before this job started',
      });
    }
    const running = this.running;
    if (!running) return;
    running.stop = 'shutdown';
    const exited = new Promise<void>((resolve) => {
      if (!running.child || running.child.exitCode !== null) return resolve();
      running.child.once('exit', () => resolve());
    });
    if (running.child) stopWorker(running.child);
    await exited;
    // execute() records the state once the worker has exited; wait for it.
    while (this.running) await new Promise((resolve) => setTimeout(resolve, 20));
  }

  private emit(id: string, event: JobEvent): void {
    this.events.emit(id, event);
  }

  private finish(
    id: string,
    update: {
      state: Job['state'];
      error?: string;
      result?: JobResult;
      progress?: TrainingProgress;
    },
  ) {
    const job = this.options.store.updateJob(id, {
      ...update,
      finishedAt: new Date().toISOString(),
      pendingPromotion: null,
    });
    this.emit(id, { type: 'state', job });
    return job;
  }

  private pump(): void {
    if (this.running || this.closed) return;
    const id = this.queue.shift();
    if (!id) return;
    this.running = { id };
    void this.execute(this.running).finally(() => {
      this.running = undefined;
      this.pump();
    });
  }

  private async newVersionId(model: ModelName): Promise<string> {
    const base = versionStamp();
    let version = base;
    for (let suffix = 2; this.options.registry.versionDir(model, version); suffix += 1) {
      version = `${base}-${suffix}`;
    }
    return version;
  }

  private async execute(running: RunningJob): Promise<void> {
    const { store, registry } = this.options;
    let job = store.updateJob(running.id, {
      state: 'running',
      startedAt: new Date().toISOString(),
    });
    this.emit(job.id, { type: 'state', job });
    let outDir: string | undefined;
    try {
      // Inside the try: an unwritable models folder fails this job instead of the process.
      outDir = await registry.stagingDir(job.model, job.id);
      const serving = await registry.serving(job.model);
      const spec = await this.buildSpec(job, outDir, serving?.dir);
      const outcome = await this.runWorker(running, spec);
      job = store.getJob(job.id) as Job;
      const result = await this.commit(job, spec, outcome, serving, running.progress);
      const last = running.progress;
      this.finish(job.id, {
        state: 'succeeded',
        result,
        progress: { epoch: 0, epochs: 0, ...last, phase: 'done', batch: 0, batches: 0 },
      });
      store.audit({
        actor: job.actor,
        action: 'retrain.finished',
        target: job.model,
        outcome: result.promoted ? 'promoted' : 'candidate',
        details: { jobId: job.id, version: result.version, accuracy: result.metrics.accuracy },
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const state =
        running.stop === 'shutdown'
          ? 'interrupted'
          : running.stop === 'cancel'
            ? 'cancelled'
            : 'failed';
      this.log[state === 'failed' ? 'error' : 'warn'](
        { jobId: job.id, err: message },
        `job ${state}`,
      );
      // The last progress is the checkpoint that shows how far the job got.
      this.finish(job.id, { state, error: message, progress: running.progress });
      store.audit({
        actor: job.actor,
        action: 'retrain.finished',
        target: job.model,
        outcome: state,
        details: { jobId: job.id, error: message },
      });
    } finally {
      if (outDir) await rm(outDir, { recursive: true, force: true });
    }
  }

  private async buildSpec(job: Job, outDir: string, servingDir?: string): Promise<WorkerJobSpec> {
    const { store } = this.options;
    const spec: WorkerJobSpec = {
      jobId: job.id,
      model: job.model,
      version: await this.newVersionId(job.model),
      outDir,
      epochs: job.request.epochs,
      limit: job.request.limit,
      servingDir,
      trainerModule: this.options.trainerModule,
      tfBackend: this.options.tfBackend,
    };
    if (job.request.dataset) {
      const dataset = store.getDataset(job.request.dataset);
      if (dataset) spec.dataset = { file: dataset.path, format: dataset.format };
    }
    if (job.request.includeFeedback && job.model.startsWith('sentiment-')) {
      spec.feedback = store
        .listFeedback(job.model as 'sentiment-ko' | 'sentiment-en')
        .map(({ text, label }) => ({ text, label }));
    }
    return spec;
  }

  private async runWorker(running: RunningJob, spec: WorkerJobSpec): Promise<WorkerOutcome> {
    // A cancel or shutdown that arrived before the fork stops the job here.
    if (running.stop) throw new Error(`Stopped before training started (${running.stop})`);
    let lastPersist = 0;
    const { child, outcome } = startWorker(spec, {
      log: this.log,
      stopReason: () => running.stop,
      onProgress: (progress) => {
        running.progress = progress;
        this.emit(spec.jobId, { type: 'progress', progress });
        const now = Date.now();
        if (now - lastPersist >= PROGRESS_PERSIST_MS || progress.phase !== 'training') {
          lastPersist = now;
          this.options.store.updateJob(spec.jobId, { progress });
        }
      },
    });
    running.child = child;
    return outcome;
  }

  /** Verifies the staged version, renames it into place and promotes it when the rule allows. */
  private async commit(
    job: Job,
    spec: WorkerJobSpec,
    outcome: WorkerOutcome,
    serving: { version: string; dir: string } | undefined,
    last: TrainingProgress | undefined,
  ): Promise<JobResult> {
    const { store, registry, host } = this.options;
    this.emit(job.id, {
      type: 'progress',
      progress: { epoch: 0, epochs: 0, ...last, phase: 'saving', batch: 0, batches: 0 },
    });
    await host.checkLoads(job.model, spec.outDir);
    await registry.install(job.model, spec.outDir, spec.version);
    const servingAccuracy = serving
      ? (outcome.servingMetrics?.accuracy ??
        (await registry.listVersions(job.model)).find((v) => v.version === serving.version)?.metrics
          ?.accuracy)
      : undefined;
    const decision =
      outcome.heldOutUnavailable && serving
        ? {
            promote: false,
            reason: `The held-out test data could not be read (${outcome.heldOutUnavailable}), so the new version was not compared with the serving one and stays a candidate; promote it explicitly to serve it.`,
          }
        : decidePromotion(outcome.metrics.accuracy, servingAccuracy);
    const result: JobResult = {
      version: spec.version,
      metrics: outcome.metrics,
      promoted: false,
      reason: decision.reason,
    };
    if (!decision.promote) return result;
    store.updateJob(job.id, {
      pendingPromotion: { model: job.model, from: serving?.version, to: spec.version },
    });
    await registry.setServing(job.model, spec.version);
    try {
      await this.options.hooks?.afterServingSwitched?.(job);
      await host.reload(job.model);
    } catch (error) {
      // CURRENT already names the new version, so put the old one back before reporting.
      if (serving) await registry.rollback(job.model);
      this.log.error({ jobId: job.id, err: (error as Error).message }, 'promotion failed');
      return {
        ...result,
        reason: `The new version could not be promoted (${(error as Error).message}), so ${serving?.version ?? 'nothing'} keeps serving.`,
      };
    }
    return { ...result, promoted: true };
  }
}
