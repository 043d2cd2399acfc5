/**
 * @module One long-lived MeCab process that analyses text written to its stdin, one text per line.
 *
 * MeCab prints the morphemes of every input line followed by a line `EOS`, in input order, so
 * requests are matched to analyses by counting EOS lines. Stock MeCab flushes after every line;
 * the build from scripts/build-mecab.mjs flushes whenever no more input is waiting. Either way a
 * lone request is answered at once. The process is spawned without a shell and user text only
 * ever travels on stdin.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { NunchiError } from '../../core/errors.ts';
import { getLogger } from '../../core/logger.ts';
import { MecabMorpheme, type Morpheme } from './morpheme.ts';

/** How to start MeCab: absolute binary path and its arguments (no user text). */
export interface MecabCommand {
  bin: string;
  args: string[];
}

export interface MecabProcessOptions {
  /** Kills a process that has work queued but prints nothing for this long, in ms. Default 30 s. */
  stallTimeoutMs?: number;
}

interface Job {
  /** Input lines, none containing a line break. */
  lines: string[];
  results: Morpheme[][];
  /** Number of processes this job has been written to. */
  attempts: number;
  resolve(results: Morpheme[][]): void;
  reject(error: Error): void;
}

/** A job is written to at most this many processes: the first one and one restart. */
const MAX_ATTEMPTS = 2;
const STDERR_TAIL_CHARS = 1000;

export class MecabProcess {
  private child: ChildProcessWithoutNullStreams | undefined;
  private readonly jobs: Job[] = [];
  private current: Morpheme[] = [];
  private partialLine = '';
  private stderrTail = '';
  private closed = false;
  private stallTimer: NodeJS.Timeout | undefined;
  private restarts = 0;
  private readonly log = getLogger('nlp');
  private readonly stallTimeoutMs: number;

  constructor(
    private readonly command: MecabCommand,
    options: MecabProcessOptions = {},
  ) {
    this.stallTimeoutMs = options.stallTimeoutMs ?? 30_000;
  }

  /** Process id of the running MeCab, or undefined when none runs. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Number of times a MeCab process died with work queued and was started again. */
  get restartCount(): number {
    return this.restarts;
  }

  /**
   * Analyses each line and returns the morphemes per line, in order. Lines must not contain a line
   * break; `toMecabLine` makes any text safe.
   *
   * @throws NunchiError ANALYZER_FAILED when MeCab died or failed to start twice while this
   *   request was queued, and ANALYZER_UNAVAILABLE after `close`.
   */
  analyzeLines(lines: readonly string[]): Promise<Morpheme[][]> {
    if (this.closed) {
      return Promise.reject(
        new NunchiError('ANALYZER_UNAVAILABLE', 'The MeCab analyzer was closed; create a new one'),
      );
    }
    if (lines.length === 0) return Promise.resolve([]);
    for (const line of lines) {
      if (line.includes('\n') || line.includes('\r')) {
        return Promise.reject(
          new NunchiError(
            'TEXT_INVALID',
            'A MeCab input line contains a line break; pass each text through toMecabLine first',
          ),
        );
      }
    }
    return new Promise<Morpheme[][]>((resolve, reject) => {
      const job: Job = { lines: [...lines], results: [], attempts: 0, resolve, reject };
      this.jobs.push(job);
      this.writeJob(this.ensureChild(), job);
    });
  }

  /** Ends stdin so MeCab finishes the queued lines and exits; kills it after `timeoutMs`. */
  async close(timeoutMs = 2000): Promise<void> {
    this.closed = true;
    const child = this.child;
    if (!child) return;
    await new Promise<void>((resolve) => {
      // This timer also keeps the event loop alive until MeCab has exited.
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      child.once('close', done);
      child.once('error', done);
      child.stdin.end();
    });
  }

  private ensureChild(): ChildProcessWithoutNullStreams {
    if (this.child) {
      this.setActive(true);
      return this.child;
    }
    const child = spawn(this.command.bin, this.command.args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      shell: false,
      windowsHide: true,
    });
    this.child = child;
    this.current = [];
    this.partialLine = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => this.onStdout(child, chunk));
    child.stderr.on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-STDERR_TAIL_CHARS);
    });
    // EPIPE after a crash surfaces here; the 'close' handler restarts the process.
    child.stdin.on('error', () => undefined);
    child.on('error', (error) => this.onExit(child, `failed to start: ${error.message}`));
    // 'close' comes after stdout has been read to the end, unlike 'exit', so no analysis is lost.
    child.on('close', (code, signal) => {
      this.onExit(child, signal ? `killed by ${signal}` : `exited with code ${code}`);
    });
    this.setActive(true);
    return child;
  }

  private writeJob(child: ChildProcessWithoutNullStreams, job: Job): void {
    job.attempts += 1;
    const remaining = job.lines.slice(job.results.length);
    child.stdin.write(`${remaining.join('\n')}\n`);
  }

  private onStdout(child: ChildProcessWithoutNullStreams, chunk: string): void {
    if (child !== this.child) return;
    this.stallTimer?.refresh();
    const text = this.partialLine + chunk;
    let start = 0;
    for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
      if (end - start === 3 && text.startsWith('EOS', start)) {
        this.deliver(this.current);
        this.current = [];
      } else {
        // Slicing in place, without a per-line string, keeps bulk parsing ahead of MeCab.
        const tab = text.indexOf('\t', start);
        if (tab >= 0 && tab < end) {
          this.current.push(new MecabMorpheme(text.slice(start, tab), text.slice(tab + 1, end)));
        }
      }
      start = end + 1;
    }
    this.partialLine = text.slice(start);
  }

  private deliver(morphemes: Morpheme[]): void {
    const job = this.jobs[0];
    if (!job) {
      this.log.warn('MeCab printed an analysis that no request was waiting for; ignored');
      return;
    }
    job.results.push(morphemes);
    if (job.results.length === job.lines.length) {
      this.jobs.shift();
      job.resolve(job.results);
      if (this.jobs.length === 0) this.setActive(false);
    }
  }

  private onExit(child: ChildProcessWithoutNullStreams, how: string): void {
    if (child !== this.child) return;
    this.child = undefined;
    this.setActive(false);
    if (this.jobs.length === 0) return;
    const reason = `MeCab (${this.command.bin}) ${how}${this.stderrDetail()}`;
    if (this.closed) {
      this.rejectAll('ANALYZER_UNAVAILABLE', `${reason} after the analyzer was closed`);
      return;
    }
    const retry: Job[] = [];
    for (const job of this.jobs.splice(0)) {
      if (job.attempts < MAX_ATTEMPTS) retry.push(job);
      else job.reject(this.failure(job, reason));
    }
    if (retry.length === 0) return;
    this.restarts += 1;
    this.log.warn({ restarts: this.restarts, queued: retry.length }, `${reason}; restarting it`);
    this.jobs.push(...retry);
    const next = this.ensureChild();
    for (const job of retry) this.writeJob(next, job);
  }

  private failure(job: Job, reason: string): NunchiError {
    return new NunchiError(
      'ANALYZER_FAILED',
      `${reason}, again after one restart, so the text was not analysed. Check that ` +
        `${this.command.bin} analyses this text when run by hand`,
      { analyzed: job.results.length, requested: job.lines.length },
    );
  }

  private rejectAll(code: 'ANALYZER_UNAVAILABLE' | 'ANALYZER_FAILED', message: string): void {
    for (const job of this.jobs.splice(0)) job.reject(new NunchiError(code, message));
  }

  private stderrDetail(): string {
    const tail = this.stderrTail.trim();
    return tail ? ` (stderr: ${tail.split('\n').slice(-2).join(' | ')})` : '';
  }

  /**
   * Keeps the Node.js event loop alive only while requests are queued, so an idle analyzer never
   * keeps a finished program running, and arms the stall timer for queued work.
   */
  private setActive(active: boolean): void {
    const child = this.child;
    if (active && child) {
      child.ref();
      for (const stream of [child.stdin, child.stdout, child.stderr]) refStream(stream, true);
      if (this.stallTimer) this.stallTimer.refresh();
      else this.stallTimer = setTimeout(() => this.onStall(), this.stallTimeoutMs).unref();
      return;
    }
    if (this.stallTimer) clearTimeout(this.stallTimer);
    this.stallTimer = undefined;
    if (child) {
      child.unref();
      for (const stream of [child.stdin, child.stdout, child.stderr]) refStream(stream, false);
    }
  }

  private onStall(): void {
    this.stallTimer = undefined;
    if (this.jobs.length === 0 || !this.child) return;
    this.log.warn(
      { stallTimeoutMs: this.stallTimeoutMs },
      'MeCab printed nothing while requests were queued; killing it',
    );
    this.child.kill('SIGKILL');
  }
}

function refStream(stream: unknown, active: boolean): void {
  const handle = stream as { ref?: () => void; unref?: () => void };
  if (active) handle.ref?.();
  else handle.unref?.();
}
