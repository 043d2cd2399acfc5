import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, PROJECT_ROOT } from '../../src/core/config.ts';
import { createService, type Service } from '../../src/server/index.ts';
import type { Job } from '../../src/store/index.ts';

const MODELS_DIR = path.join(PROJECT_ROOT, 'data/models');
const MNIST_DIR = path.join(PROJECT_ROOT, '../shared/data/mnist');
const ready = existsSync(path.join(MODELS_DIR, 'digits-mlp', 'CURRENT')) && existsSync(MNIST_DIR);
const TOKEN = 'real-training-token-0123456789';
const auth = { Authorization: `Bearer ${TOKEN}` };

describe.skipIf(!ready)(
  'real digits-mlp retrain (skipped: needs data/models/digits-mlp and ../shared/data/mnist)',
  () => {
    let dataDir: string;
    let service: Service;

    beforeAll(async () => {
      dataDir = mkdtempSync(path.join(os.tmpdir(), 'nunchi-real-'));
      const config = loadConfig({
        NODE_ENV: 'test',
        DATA_DIR: dataDir,
        MODELS_DIR,
        MNIST_DIR,
        TF_BACKEND: 'wasm',
        ADMIN_TOKEN: TOKEN,
      });
      service = await createService({ config, web: false });
    });

    afterAll(async () => {
      await service?.jobs.shutdown();
      service?.host.close();
      service?.store.close();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('reads a drawn seven with the shipped model', async () => {
      const svg =
        '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">' +
        '<rect width="100" height="100" fill="white"/>' +
        '<path d="M25 20 L75 20 L45 85" stroke="black" stroke-width="9" fill="none"/></svg>';
      const png = await sharp(Buffer.from(svg)).png().toBuffer();
      const response = await service.app.request('/api/digit', {
        method: 'POST',
        headers: { 'Content-Type': 'image/png' },
        body: png,
      });
      expect(response.status).toBe(200);
      const answer = (await response.json()) as { text: string; debugImage: string };
      expect(answer.text).toBe('7');
      expect(answer.debugImage).toMatch(/^data:image\/png;base64,/);
    });

    it('trains a version in the worker and files it by the promotion rule', async () => {
      const response = await service.app.request('/admin/retrain', {
        method: 'POST',
        headers: { ...auth, 'Content-Type': 'application/json' },
        body: JSON.stringify({ model: 'digits-mlp', epochs: 1, limit: 1000 }),
      });
      expect(response.status).toBe(202);
      const { jobId } = (await response.json()) as { jobId: string };
      let job: Job | undefined;
      const deadline = Date.now() + 50_000;
      while (Date.now() < deadline) {
        job = service.store.getJob(jobId);
        if (job && ['succeeded', 'failed'].includes(job.state)) break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(job?.error).toBeUndefined();
      expect(job?.state).toBe('succeeded');
      const version = job?.result?.version as string;
      expect(typeof job?.result?.metrics.accuracy).toBe('number');
      const versions = await service.registry.listVersions('digits-mlp');
      const entry = versions.find((candidate) => candidate.version === version);
      expect(entry?.source).toBe('trained');
      expect(entry?.status).toBe(job?.result?.promoted ? 'serving' : 'candidate');
      const loaded = service.host.loadedVersion('digits-mlp');
      expect(loaded === version).toBe(job?.result?.promoted);
    }, 60_000);
  },
);
