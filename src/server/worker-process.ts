/**
 * @module Parent side of the training worker: forks src/training/job-worker.ts with tsx at a
 * lower CPU priority, relays its progress, and turns its exit into the `done` outcome or an error.
 */
import { fork, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import { PROJECT_ROOT } from '../core/config.ts';
import type { TrainingProgress } from '../core/contracts.ts';
import { NunchiError } from '../core/errors.ts';
import type { WorkerJobSpec, WorkerMessage } from '../training/job-worker.ts';

const WORKER_PATH = path.join(PROJECT_ROOT, 'src/training/job-worker.ts');
/** How long a cancelled or interrupted worker gets to exit before SIGKILL, in milliseconds. */
const KILL_GRACE_MS = 3000;
/** Nice value of training processes, so request handling wins the CPU. */
const WORKER_NICENESS = 10;
const STDERR_TAIL_CHARS = 2000;

export type WorkerOutcome = Extract<WorkerMessage, { type: 'done' }>;

/** Reason a worker was stopped on purpose; undefined while it may run to the end. */
export type StopReason = 'cancel' | 'shutdown' | undefined;

export interface WorkerRun {
  child: ChildProcess;
  /** Resolves with the worker's `done` message once it exits with code 0. */
  outcome: Promise<WorkerOutcome>;
}

/**
 * Forks a worker for `spec` and sends it the start message.
 *
 * @param stopReason read when the worker exits, so a deliberate stop is not reported as a crash.
 */
export function startWorker(
  spec: WorkerJobSpec,
  handlers: {
    onProgress(progress: TrainingProgress): void;
    stopReason(): StopReason;
    log: Logger;
  },
): WorkerRun {
  const child = fork(WORKER_PATH, [], {
    cwd: PROJECT_ROOT,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  if (child.pid) {
    try {
      os.setPriority(child.pid, WORKER_NICENESS);
    } catch (error) {
      handlers.log.debug({ err: (error as Error).message }, 'cannot lower the worker priority');
    }
  }
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-STDERR_TAIL_CHARS);
  });

  const outcome = new Promise<WorkerOutcome>((resolve, reject) => {
    let done: WorkerOutcome | undefined;
    let failure: string | undefined;
    child.on('message', (message: WorkerMessage) => {
      if (message.type === 'progress') handlers.onProgress(message.progress);
      else if (message.type === 'done') done = message;
      else if (message.type === 'error') failure = `${message.code}: ${message.message}`;
    });
    child.on('error', (error) => reject(error));
    child.on('exit', (code, signal) => {
      const stop = handlers.stopReason();
      if (stop === 'shutdown') return reject(new Error('The service stopped during training'));
      if (stop === 'cancel') return reject(new Error('Cancelled by an admin'));
      if (done && code === 0) return resolve(done);
      const tail = stderr.trim().split('\n').slice(-3).join(' | ');
      const exit = signal ?? `code ${code}`;
      reject(
        new NunchiError(
          'TRAINING_FAILED',
          failure ?? `The training process exited with ${exit}${tail ? `: ${tail}` : ''}`,
        ),
      );
    });
  });
  child.send({ type: 'start', spec });
  return { child, outcome };
}

/** Asks a worker to stop, then kills it if it is still running after a grace period. */
export function stopWorker(child: ChildProcess): void {
  if (child.exitCode !== null || child.signalCode !== null) return;
  if (child.connected) child.send({ type: 'cancel' });
  child.kill('SIGTERM');
  setTimeout(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }, KILL_GRACE_MS).unref();
}
