/**
 * @module The real service for the browser tests. createService runs over temporary directories
 * with sealed fake model versions, the fake model runtime and the tiny trainer of the server
 * tests. createApp adds the web routes and the stand-in classifier, served on 127.0.0.1 port 0.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/core/config.ts';
import type { ModelName } from '../../src/core/contracts.ts';
import { sealModelDir } from '../../src/core/model-dir.ts';
import { createApp } from '../../src/server/app.ts';
import { createService, type Service } from '../../src/server/index.ts';
import { createWebRoutes } from '../../src/web/routes.ts';
import { createFakeRuntime } from '../server/fixtures/fake-models.ts';
import { TINY_TRAINER } from '../server/fixtures/service.ts';
import { serveApp, type Served } from './browser.ts';
import { createStandInClassifier, type StandInClassifier } from './stand-in-classifier.ts';

export const ADMIN_TOKEN = 'web-test-admin-token-0123456789';
/** Accuracy of every shipped fake version; the tiny trainer beats it from 6 epochs on. */
export const SHIPPED_ACCURACY = 0.85;

/** Confusion matrix of `classes` classes for `n` examples at SHIPPED_ACCURACY, rows actual. */
function confusionMatrix(classes: number, n: number): number[][] {
  const perClass = n / classes;
  const correct = Math.round(perClass * SHIPPED_ACCURACY);
  return Array.from({ length: classes }, (_, actual) =>
    Array.from({ length: classes }, (_, predicted) => {
      if (predicted === actual) return correct;
      return predicted === (actual + 1) % classes ? perClass - correct : 0;
    }),
  );
}

/** Writes a sealed fake version that the fake runtime loads, with a confusion matrix. */
async function writeShippedVersion(modelsDir: string, name: ModelName, classes: number) {
  const dir = path.join(modelsDir, name, 'v1');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'weights.json'), JSON.stringify({ accuracy: SHIPPED_ACCURACY }));
  const n = classes * 20;
  await sealModelDir(dir, {
    name,
    version: 'v1',
    kind: 'fake',
    createdAt: '2026-01-02T03:04:05.000Z',
    preprocessingVersion: 'fake-1',
    hyperParameters: {},
    dataset: { name: 'fake', split: 'test', trainRows: n, testRows: n },
    metrics: { accuracy: SHIPPED_ACCURACY, n, confusionMatrix: confusionMatrix(classes, n) },
    trainingSeconds: 0,
    backend: { name: 'none', gpu: false },
  });
  writeFileSync(path.join(modelsDir, name, 'CURRENT'), 'v1\n');
}

export interface WebTestApp {
  origin: string;
  service: Service;
  classifier: StandInClassifier;
  close(): Promise<void>;
}

/** Starts the real app with the web pages; `close` stops it and deletes its directories. */
export async function startWebTestApp(): Promise<WebTestApp> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'nunchi-web-app-'));
  const modelsDir = path.join(root, 'models');
  await writeShippedVersion(modelsDir, 'sentiment-ko', 2);
  await writeShippedVersion(modelsDir, 'sentiment-en', 2);
  await writeShippedVersion(modelsDir, 'digits-mlp', 10);
  const config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: path.join(root, 'data'),
    MODELS_DIR: modelsDir,
    ADMIN_TOKEN,
    RATE_LIMIT_PER_MINUTE: '10000',
  });

  const service = await createService({
    config,
    runtime: createFakeRuntime(),
    trainerModule: TINY_TRAINER,
    initBackend: false,
    web: false,
  });

  const classifier = createStandInClassifier(() => service.host.describeModels());
  const app = createApp({
    config,
    host: service.host,
    registry: service.registry,
    store: service.store,
    jobs: service.jobs,
    classifier,
    web: createWebRoutes(),
    backend: () => ({ name: 'wasm', tfBackend: 'wasm', gpu: false, skipped: [], notes: [] }),
  });

  let served: Served | undefined;
  try {
    served = await serveApp(app);
  } catch (error) {
    await service.jobs.shutdown();
    throw error;
  }
  return {
    origin: served.origin,
    service,
    classifier,
    async close() {
      await served?.close();
      await service.jobs.shutdown();
      service.host.close();
      service.store.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
