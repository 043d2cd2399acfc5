/**
 * SIGKILL of the serving process during training, during a data set upload and during a
 * promotion. After a restart over the same directories the serving model is the one that served
 * before, every feedback label, data set and job record written before the kill is still there,
 * and the job that was running reads `interrupted`.
 */
import http from 'node:http';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Job } from '../../src/store/index.ts';
import { createModelDirs } from '../server/fixtures/service.ts';
import {
  authHeader,
  childPids,
  exited,
  serviceOver,
  sleep,
  startServerProcess,
  waitForExit,
  waitForJob,
  type ServerProcess,
} from './helpers.ts';

const FEEDBACK = {
  text: '배송이 빨라서 좋아요',
  predictedLabel: 'negative',
  correctLabel: 'positive',
  modelName: 'sentiment-ko',
  modelVersion: 'v1',
};
const DATASET_CSV = 'text,label\ngreat film,1\nawful plot,0\nloved it,1\nboring,0\n';

type Dirs = Awaited<ReturnType<typeof createModelDirs>>;

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

/** Writes the records a crash must not lose: one feedback label and one data set. */
async function seedRecords(url: string): Promise<{ feedbackId: number; datasetId: string }> {
  const feedback = await post(`${url}/api/feedback`, FEEDBACK);
  expect(feedback.status).toBe(201);
  const upload = await fetch(`${url}/admin/datasets`, {
    method: 'POST',
    headers: { ...authHeader, 'Content-Type': 'text/csv' },
    body: DATASET_CSV,
  });
  expect(upload.status).toBe(201);
  return {
    feedbackId: ((await feedback.json()) as { id: number }).id,
    datasetId: ((await upload.json()) as { id: string }).id,
  };
}

/** SIGKILLs the server and its training worker and waits until both are gone. */
async function killHard(server: ServerProcess): Promise<void> {
  const workers = childPids(server.child.pid as number);
  server.child.kill('SIGKILL');
  await exited(server.child);
  // The worker exits by itself once its IPC channel closes; this waits for that.
  await waitForExit(workers);
}

/** Restarts in this process and checks what must survive any kill. */
async function expectRecordsKept(
  dirs: Dirs,
  seeded: { datasetId: string },
  check: (service: Awaited<ReturnType<typeof serviceOver>>) => Promise<void>,
) {
  const service = await serviceOver(dirs);
  try {
    const feedback = service.store.listFeedback('sentiment-ko');
    expect(feedback.map((entry) => entry.text)).toEqual([FEEDBACK.text]);
    const dataset = service.store.getDataset(seeded.datasetId);
    expect(dataset?.acceptedRows).toBe(4);
    expect(readFileSync(dataset?.path as string, 'utf8')).toBe(DATASET_CSV);
    for (const name of ['sentiment-ko', 'sentiment-en', 'digits-mlp'] as const) {
      const folder = path.join(dirs.dataDir, 'models', name);
      const leftovers = existsSync(folder) ? readdirSync(folder) : [];
      expect(leftovers.filter((entry) => entry.startsWith('.staging-'))).toEqual([]);
    }
    await check(service);
  } finally {
    await service.stop();
  }
}

describe('SIGKILL of the serving process', () => {
  let dirs: Dirs;
  let server: ServerProcess | undefined;
  const args = () => ['--data-dir', dirs.dataDir, '--models-dir', dirs.modelsDir];

  beforeEach(async () => {
    dirs = await createModelDirs();
  });
  afterEach(async () => {
    if (server) {
      server.child.kill('SIGKILL');
      await exited(server.child);
      server = undefined;
    }
    rmSync(dirs.root, { recursive: true, force: true });
  });

  it('during training leaves the job interrupted', async () => {
    server = await startServerProcess(args());
    const url = server.url;
    const seeded = await seedRecords(url);
    const started = await post(
      `${url}/admin/retrain`,
      { model: 'sentiment-en', epochs: 300 },
      authHeader,
    );
    expect(started.status).toBe(202);
    const { jobId } = (await started.json()) as { jobId: string };
    const fetchJob = async () =>
      (await (await fetch(`${url}/admin/jobs/${jobId}`, { headers: authHeader })).json()) as Job;
    const training = await waitForJob(
      fetchJob,
      (job) => job.progress?.phase === 'training' && (job.progress?.epoch ?? 0) >= 1,
    );
    expect(training.state).toBe('running');

    await killHard(server);
    server = undefined;

    await expectRecordsKept(dirs, seeded, async (service) => {
      const job = service.store.getJob(jobId);
      expect(job?.state).toBe('interrupted');
      expect(job?.error).toMatch(/stopped before this job finished/);
      expect(job?.progress?.phase).toBe('training');
      expect(service.host.loadedVersion('sentiment-en')).toBe('v1');
      // The model is free for a new job: the interrupted one no longer blocks it.
      expect(service.store.activeJob('sentiment-en')).toBeUndefined();
    });
  });

  it('during a data set upload stores no partial data set', async () => {
    server = await startServerProcess(args());
    const { url } = server;
    const seeded = await seedRecords(url);
    const target = new URL(`${url}/admin/datasets`);
    const line = 'a review that keeps the upload going,1\n';
    const request = http.request({
      host: target.hostname,
      port: target.port,
      path: target.pathname,
      method: 'POST',
      headers: { ...authHeader, 'Content-Type': 'text/csv', 'Content-Length': 10 * 2 ** 20 },
    });
    const failed = new Promise<string>((resolve) => {
      request.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
      request.on('response', (response) => resolve(`HTTP ${response.statusCode}`));
    });
    request.write(`text,label\n${line.repeat(20_000)}`);
    await sleep(300);

    await killHard(server);
    server = undefined;
    expect(await failed).toMatch(/ECONNRESET|EPIPE|socket hang up/);

    await expectRecordsKept(dirs, seeded, async (service) => {
      expect(service.store.listDatasets().map((dataset) => dataset.id)).toEqual([seeded.datasetId]);
      const files = readdirSync(path.join(dirs.dataDir, 'datasets'));
      expect(files).toHaveLength(1);
      expect(files.filter((file) => file.endsWith('.tmp'))).toEqual([]);
    });
  });

  it('during promotion keeps the old version serving', async () => {
    const pauseFile = path.join(dirs.root, 'paused');
    server = await startServerProcess([...args(), '--pause-after-switch', pauseFile]);
    const { url } = server;
    const seeded = await seedRecords(url);
    const started = await post(
      `${url}/admin/retrain`,
      { model: 'sentiment-ko', epochs: 10 },
      authHeader,
    );
    const { jobId } = (await started.json()) as { jobId: string };
    const deadline = Date.now() + 30_000;
    while (!existsSync(pauseFile)) {
      if (Date.now() > deadline) throw new Error('the job never reached promotion');
      await sleep(25);
    }
    const current = path.join(dirs.dataDir, 'models', 'sentiment-ko', 'CURRENT');
    const switchedTo = readFileSync(current, 'utf8').trim();
    expect(switchedTo).not.toBe('v1');

    await killHard(server);
    server = undefined;

    await expectRecordsKept(dirs, seeded, async (service) => {
      const job = service.store.getJob(jobId);
      expect(job?.state).toBe('interrupted');
      expect(service.host.loadedVersion('sentiment-ko')).toBe('v1');
      expect(readFileSync(current, 'utf8').trim()).toBe('v1');
      const versions = await service.registry.listVersions('sentiment-ko');
      expect(versions.find((entry) => entry.version === switchedTo)?.status).toBe('candidate');
      const answer = await service.app.request('/api/sentiment', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ text: '좋아요', lang: 'ko' }),
      });
      expect(((await answer.json()) as { modelVersion: string }).modelVersion).toBe('v1');
    });
  });
});
