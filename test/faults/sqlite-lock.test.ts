/**
 * The SQLite store locked by another process that holds the write lock longer than the store's
 * busy timeout (5 s). Writes fail with STORAGE_FAILED naming the lock while reads keep working
 * (WAL). Once the other process is gone, the next write succeeds and nothing earlier is lost.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/core/config.ts';
import { isNunchiError } from '../../src/core/errors.ts';
import { createModelDirs } from '../server/fixtures/service.ts';
import { authHeader, exited, serviceOver } from './helpers.ts';

const HOLD_LOCK = path.join(PROJECT_ROOT, 'test/faults/fixtures/hold-lock.mjs');

function holdLock(file: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [HOLD_LOCK, file], {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let errors = '';
    child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('LOCKED')) resolve(child);
    });
    child.on('exit', (code) => reject(new Error(`lock holder exited with ${code}: ${errors}`)));
  });
}

const feedback = (text: string) => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify({
    text,
    predictedLabel: 'positive',
    correctLabel: 'negative',
    modelName: 'sentiment-en',
    modelVersion: 'v1',
  }),
});

describe('SQLite store locked by another process', () => {
  let dirs: Awaited<ReturnType<typeof createModelDirs>>;
  let service: Awaited<ReturnType<typeof serviceOver>>;
  let locker: ChildProcess | undefined;

  beforeAll(async () => {
    dirs = await createModelDirs();
    service = await serviceOver(dirs);
  });
  afterAll(async () => {
    locker?.kill('SIGKILL');
    await service?.stop();
    rmSync(dirs.root, { recursive: true, force: true });
  });

  it('rejects a write with STORAGE_FAILED and keeps reads and earlier rows', async () => {
    expect((await service.app.request('/api/feedback', feedback('before the lock'))).status).toBe(
      201,
    );
    locker = await holdLock(service.store.file);

    const started = Date.now();
    const response = await service.app.request('/api/feedback', feedback('during the lock'));
    expect(Date.now() - started).toBeGreaterThanOrEqual(4000);
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('STORAGE_FAILED');
    expect(body.error.message).toMatch(/locked by another process/);

    // WAL readers do not wait for the writer.
    const jobs = await service.app.request('/admin/jobs', { headers: authHeader });
    expect(jobs.status).toBe(200);

    locker.kill('SIGKILL');
    await exited(locker);
    locker = undefined;
    expect((await service.app.request('/api/feedback', feedback('after the lock'))).status).toBe(
      201,
    );
    const texts = service.store.listFeedback('sentiment-en').map((entry) => entry.text);
    expect(texts).toEqual(['before the lock', 'after the lock']);
    // The killed holder's uncommitted row never became visible.
    expect(service.store.listAudit().some((entry) => entry.actor === 'locker')).toBe(false);
  });

  it('fails to open a locked new store with STORAGE_FAILED naming the file', async () => {
    const other = await createModelDirs();
    try {
      const first = await serviceOver(other);
      const file = first.store.file;
      await first.stop();
      locker = await holdLock(file);
      const failure = await serviceOver(other).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(isNunchiError(failure, 'STORAGE_FAILED')).toBe(true);
      expect((failure as Error).message).toContain(file);
      expect((failure as Error).message).toMatch(/database is locked/);
    } finally {
      locker?.kill('SIGKILL');
      locker = undefined;
      rmSync(other.root, { recursive: true, force: true });
    }
  });
});
