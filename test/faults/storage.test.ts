/**
 * The models directory unwritable or full, and a full disk during a data set upload. CI runs as
 * root, where chmod stops no write. So the faults come from a path that cannot be created (a file
 * where DATA_DIR/models should be) and from errors injected at the fs layer: in the serving
 * process directly, and in the training worker through a preloaded module.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Job } from '../../src/store/index.ts';
import { createModelDirs } from '../server/fixtures/service.ts';
import {
  authHeader,
  DISK_FULL_PRELOAD,
  injectWriteFault,
  serviceOver,
  waitForJob,
} from './helpers.ts';

type Dirs = Awaited<ReturnType<typeof createModelDirs>>;
type TestService = Awaited<ReturnType<typeof serviceOver>>;

const FINAL: Job['state'][] = ['succeeded', 'failed', 'cancelled', 'interrupted'];

async function retrain(service: TestService, body: Record<string, unknown>): Promise<Job> {
  const response = await service.app.request('/admin/retrain', {
    method: 'POST',
    headers: { ...authHeader, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(202);
  const { jobId } = (await response.json()) as { jobId: string };
  return waitForJob(
    async () => service.jobs.get(jobId) as Job,
    (job) => FINAL.includes(job.state),
  );
}

async function classify(service: TestService): Promise<{ status: number; version?: string }> {
  const response = await service.app.request('/api/sentiment', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ text: 'good', lang: 'en' }),
  });
  const body = (await response.json()) as { modelVersion?: string };
  return { status: response.status, version: body.modelVersion };
}

function recordFeedback(service: TestService): number {
  return service.store.recordFeedback({
    text: 'great',
    predictedLabel: 'negative',
    correctLabel: 'positive',
    modelName: 'sentiment-en',
    modelVersion: 'v1',
    source: 'web',
  }).id;
}

function leftovers(folder: string): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder).filter((entry) => entry.startsWith('.') || entry.endsWith('.tmp'));
}

describe('models directory unwritable or full', () => {
  let dirs: Dirs;
  let service: TestService | undefined;
  let restore: (() => void) | undefined;

  beforeEach(async () => {
    dirs = await createModelDirs();
  });
  afterEach(async () => {
    restore?.();
    restore = undefined;
    await service?.stop();
    service = undefined;
    rmSync(dirs.root, { recursive: true, force: true });
  });

  it('fails a retrain when DATA_DIR/models cannot be created', async () => {
    mkdirSync(dirs.dataDir, { recursive: true });
    // A file where the folder should be: mkdir fails with ENOTDIR or EEXIST, for root too.
    writeFileSync(path.join(dirs.dataDir, 'models'), 'not a folder');
    service = await serviceOver(dirs);
    const feedbackId = recordFeedback(service);

    const job = await retrain(service, { model: 'sentiment-en', epochs: 10 });
    expect(job.state).toBe('failed');
    expect(job.error).toMatch(/ENOTDIR|EEXIST/);
    expect(job.error).toContain(path.join(dirs.dataDir, 'models'));
    expect(await classify(service)).toEqual({ status: 200, version: 'v1' });
    expect(service.store.listFeedback('sentiment-en')).toHaveLength(feedbackId);
    // The failed job does not block the next one.
    expect(service.store.activeJob('sentiment-en')).toBeUndefined();
  });

  it('fails a retrain when the models folder is read-only (EROFS)', async () => {
    service = await serviceOver(dirs);
    restore = injectWriteFault(path.join(dirs.dataDir, 'models'), 'EROFS');
    const job = await retrain(service, { model: 'sentiment-en', epochs: 10 });
    expect(job.state).toBe('failed');
    expect(job.error).toMatch(/EROFS: read-only file system/);
    expect(await classify(service)).toEqual({ status: 200, version: 'v1' });
  });

  it('fails a retrain when the worker finds the disk full', async () => {
    const previous = process.env.NODE_OPTIONS;
    process.env.NODE_OPTIONS = `${previous ?? ''} --import "${DISK_FULL_PRELOAD}"`.trim();
    process.env.FAULT_FULL_DIR = path.join(dirs.dataDir, 'models');
    try {
      service = await serviceOver(dirs);
      const job = await retrain(service, { model: 'sentiment-en', epochs: 10 });
      expect(job.state).toBe('failed');
      expect(job.error).toMatch(/ENOSPC: no space left on device/);
    } finally {
      if (previous === undefined) delete process.env.NODE_OPTIONS;
      else process.env.NODE_OPTIONS = previous;
      delete process.env.FAULT_FULL_DIR;
    }
    expect(await classify(service)).toEqual({ status: 200, version: 'v1' });
    expect(leftovers(path.join(dirs.dataDir, 'models', 'sentiment-en'))).toEqual([]);
  });

  it('keeps the old version when the disk fills during promotion', async () => {
    service = await serviceOver(dirs, {
      async afterServingSwitched() {
        throw new Error('afterServingSwitched must not be reached');
      },
    });
    const current = path.join(dirs.dataDir, 'models', 'sentiment-en', 'CURRENT');
    // Training and install succeed; the first write of CURRENT hits the full disk.
    const service0 = service;
    const originalSetServing = service0.registry.setServing.bind(service0.registry);
    service0.registry.setServing = async (name, version) => {
      restore = injectWriteFault(path.join(dirs.dataDir, 'models'), 'ENOSPC');
      return originalSetServing(name, version);
    };
    const job = await retrain(service, { model: 'sentiment-en', epochs: 10 });
    restore?.();
    restore = undefined;
    expect(job.state).toBe('failed');
    expect(job.error).toMatch(/ENOSPC: no space left on device/);
    expect(existsSync(current)).toBe(false);
    expect(await classify(service)).toEqual({ status: 200, version: 'v1' });
    expect((await service.registry.serving('sentiment-en'))?.version).toBe('v1');
    expect(leftovers(path.join(dirs.dataDir, 'models', 'sentiment-en'))).toEqual([]);
  });

  it('rejects a data set upload on a full disk with STORAGE_FAILED', async () => {
    service = await serviceOver(dirs);
    mkdirSync(path.join(dirs.dataDir, 'datasets'));
    restore = injectWriteFault(path.join(dirs.dataDir, 'datasets'), 'ENOSPC');
    const response = await service.app.request('/admin/datasets', {
      method: 'POST',
      headers: { ...authHeader, 'Content-Type': 'text/csv' },
      body: 'text,label\ngreat,1\nawful,0\nfine,1\nbad,0\n',
    });
    restore();
    restore = undefined;
    expect(response.status).toBe(500);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('STORAGE_FAILED');
    expect(body.error.message).toMatch(/no space left on device/);
    expect(service.store.listDatasets()).toEqual([]);
    expect(readdirSync(path.join(dirs.dataDir, 'datasets'))).toEqual([]);
    expect(readFileSync(service.store.file).byteLength).toBeGreaterThan(0);
  });
});
