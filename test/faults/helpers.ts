/**
 * Shared pieces of the fault tests: the fixture server in a child process that a test can SIGKILL,
 * the in-process service over given directories, job polling, and fs-level fault injection. The
 * injection works for root too, where chmod does not stop a write.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { syncBuiltinESMExports } from 'node:module';
import { loadConfig, PROJECT_ROOT } from '../../src/core/config.ts';
import type { JobHooks } from '../../src/server/jobs.ts';
import { createService, type Service } from '../../src/server/index.ts';
import type { Job } from '../../src/store/index.ts';
import { createFakeRuntime } from '../server/fixtures/fake-models.ts';
import { ADMIN_TOKEN, authHeader, TINY_TRAINER } from '../server/fixtures/service.ts';

export { authHeader, ADMIN_TOKEN };

const SERVE = path.join(PROJECT_ROOT, 'test/server/fixtures/serve.ts');

export interface ServerProcess {
  child: ChildProcess;
  url: string;
}

/** Starts the fixture server (fake models, tiny trainer) in a child process. */
export function startServerProcess(args: string[]): Promise<ServerProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', SERVE, ...args], {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let errors = '';
    child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /LISTENING (http:\/\/\S+)/.exec(output);
      if (match) resolve({ child, url: match[1] });
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${errors}`)));
  });
}

/** Resolves once `child` has exited. */
export function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
  });
}

/** Process ids of the direct children of `pid` (the training worker of a server process). */
export function childPids(pid: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)])
      .toString()
      .split('\n')
      .map((line) => Number(line.trim()))
      .filter((value) => value > 0);
  } catch {
    return [];
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits until none of `pids` runs any more (at most `timeoutMs`). */
export async function waitForExit(pids: number[], timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (pids.some(alive)) {
    if (Date.now() > deadline) throw new Error(`processes ${pids.join(', ')} still run`);
    await sleep(25);
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls GET /admin/jobs/:id until the job reaches one of `states` (or `until` holds). */
export async function waitForJob(
  fetchJob: () => Promise<Job>,
  until: (job: Job) => boolean,
  timeoutMs = 30_000,
): Promise<Job> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await fetchJob();
    if (until(job)) return job;
    if (Date.now() > deadline) throw new Error(`job ${job.id} still ${job.state}`);
    await sleep(40);
  }
}

/** Builds the real service in this process over `dirs`, with fake models and the tiny trainer. */
export async function serviceOver(
  dirs: { dataDir: string; modelsDir: string },
  hooks?: JobHooks,
): Promise<Service & { stop(): Promise<void> }> {
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATA_DIR: dirs.dataDir,
    MODELS_DIR: dirs.modelsDir,
    ADMIN_TOKEN,
    RATE_LIMIT_PER_MINUTE: '100000',
  });
  const service = await createService({
    config,
    runtime: createFakeRuntime(),
    trainerModule: TINY_TRAINER,
    initBackend: false,
    web: false,
    hooks,
  });
  return {
    ...service,
    async stop() {
      await service.jobs.shutdown();
      service.host.close();
      service.store.close();
    },
  };
}

/** Builds an error shaped as Node's fs layer raises it. */
export function fsError(code: 'ENOSPC' | 'EROFS', syscall: string, file: string): Error {
  const text = code === 'ENOSPC' ? 'no space left on device' : 'read-only file system';
  return Object.assign(new Error(`${code}: ${text}, ${syscall} '${file}'`), {
    code,
    errno: code === 'ENOSPC' ? -28 : -30,
    syscall,
    path: file,
  });
}

/**
 * Makes writes under `root` fail with `code` in this process: `fs.promises.open` for writing,
 * `mkdir`, `rename` into the folder, and their sync forms. Returns the function that undoes it.
 */
export function injectWriteFault(root: string, code: 'ENOSPC' | 'EROFS'): () => void {
  const under = (file: unknown) => path.resolve(String(file)).startsWith(path.resolve(root));
  const promises = fs.promises as unknown as Record<string, unknown>;
  const sync = fs as unknown as Record<string, unknown>;
  const saved = {
    open: promises.open,
    mkdir: promises.mkdir,
    rename: promises.rename,
    writeFile: promises.writeFile,
    mkdirSync: sync.mkdirSync,
    writeFileSync: sync.writeFileSync,
  };
  const open = saved.open as typeof fs.promises.open;
  promises.open = async (file: fs.PathLike, flags?: string | number, mode?: number) => {
    const handle = await open(file, flags, mode);
    if (under(file) && typeof flags === 'string' && /[wa+]/.test(flags)) {
      // The file is created, as on a full disk, and the write of its content fails.
      Object.assign(handle, {
        writeFile: async () => {
          throw fsError(code, 'write', String(file));
        },
      });
    }
    return handle;
  };
  const failing =
    (name: string, original: (...args: unknown[]) => unknown, target = 0) =>
    (...args: unknown[]) => {
      if (under(args[target])) throw fsError(code, name, String(args[target]));
      return original(...args);
    };
  const asyncFailing =
    (name: string, original: (...args: unknown[]) => Promise<unknown>, target = 0) =>
    async (...args: unknown[]) => {
      if (under(args[target])) throw fsError(code, name, String(args[target]));
      return original(...args);
    };
  type AsyncFn = (...args: unknown[]) => Promise<unknown>;
  type SyncFn = (...args: unknown[]) => unknown;
  // mkdir of a folder that exists succeeds even on a full disk, so only new folders fail.
  const mkdirFailing = asyncFailing('mkdir', saved.mkdir as AsyncFn);
  promises.mkdir = async (...args: unknown[]) =>
    fs.existsSync(String(args[0])) ? (saved.mkdir as AsyncFn)(...args) : mkdirFailing(...args);
  promises.rename = asyncFailing('rename', saved.rename as AsyncFn, 1);
  promises.writeFile = asyncFailing('write', saved.writeFile as AsyncFn);
  sync.mkdirSync = failing('mkdir', saved.mkdirSync as SyncFn);
  sync.writeFileSync = failing('write', saved.writeFileSync as SyncFn);
  syncBuiltinESMExports();
  return () => {
    Object.assign(promises, {
      open: saved.open,
      mkdir: saved.mkdir,
      rename: saved.rename,
      writeFile: saved.writeFile,
    });
    Object.assign(sync, { mkdirSync: saved.mkdirSync, writeFileSync: saved.writeFileSync });
    syncBuiltinESMExports();
  };
}

/** Module that, preloaded with `--import`, makes writes under FAULT_FULL_DIR fail with ENOSPC. */
export const DISK_FULL_PRELOAD = path.join(PROJECT_ROOT, 'test/faults/fixtures/disk-full.mjs');
