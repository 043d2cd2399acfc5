/**
 * Corrupt model files with the real digit model and the real loader: a flipped byte in the
 * serving version at start-up, a corrupt version promoted, and a truncated weights file that still
 * matches its (re-sealed) checksums. The error names the file and what is wrong with it, and a
 * good version that serves keeps serving.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, PROJECT_ROOT } from '../../src/core/config.ts';
import {
  METADATA_FILE,
  sealModelDir,
  type ModelMetadata,
  type ModelMetadataInput,
} from '../../src/core/model-dir.ts';
import { createService, type Service } from '../../src/server/index.ts';
import { ADMIN_TOKEN, authHeader } from './helpers.ts';

const SHIPPED = path.join(PROJECT_ROOT, 'data/models/digits-mlp');
const shippedVersion = existsSync(path.join(SHIPPED, 'CURRENT'))
  ? readFileSync(path.join(SHIPPED, 'CURRENT'), 'utf8').trim()
  : undefined;

/** Copies the shipped digits-mlp version into `root/digits-mlp/<as>`, renamed to `as`. */
function copyVersion(root: string, as: string): string {
  const dir = path.join(root, 'digits-mlp', as);
  cpSync(path.join(SHIPPED, shippedVersion as string), dir, { recursive: true });
  const file = path.join(dir, METADATA_FILE);
  const metadata = JSON.parse(readFileSync(file, 'utf8')) as ModelMetadata;
  writeFileSync(file, JSON.stringify({ ...metadata, version: as }));
  return dir;
}

async function sealAgain(dir: string): Promise<void> {
  const metadata = JSON.parse(readFileSync(path.join(dir, METADATA_FILE), 'utf8')) as ModelMetadata;
  const input: Partial<ModelMetadata> = { ...metadata };
  delete input.files;
  rmSync(path.join(dir, METADATA_FILE));
  await sealModelDir(dir, input as ModelMetadataInput);
}

function flipByte(file: string, offset: number): void {
  const bytes = readFileSync(file);
  bytes[offset] ^= 0xff;
  writeFileSync(file, bytes);
}

async function drawSeven(): Promise<Uint8Array<ArrayBuffer>> {
  const svg =
    '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">' +
    '<rect width="100" height="100" fill="white"/>' +
    '<path d="M25 20 L75 20 L45 85" stroke="black" stroke-width="9" fill="none"/></svg>';
  return Uint8Array.from(await sharp(Buffer.from(svg)).png().toBuffer());
}

async function start(root: string): Promise<Service> {
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATA_DIR: path.join(root, 'data'),
    MODELS_DIR: path.join(root, 'models'),
    TF_BACKEND: 'wasm',
    ADMIN_TOKEN,
  });
  return createService({ config, web: false });
}

async function stop(service: Service | undefined): Promise<void> {
  if (!service) return;
  await service.jobs.shutdown();
  service.host.close();
  service.store.close();
}

describe.skipIf(!shippedVersion)(
  `corrupt model files${shippedVersion ? '' : ' (skipped: no shipped digits-mlp in data/models)'}`,
  () => {
    let root: string;
    let service: Service | undefined;

    beforeAll(async () => {
      root = mkdtempSync(path.join(os.tmpdir(), 'nunchi-corrupt-'));
      const models = path.join(root, 'models');
      copyVersion(models, 'good');
      copyVersion(models, 'flipped');
      copyVersion(models, 'truncated');
      writeFileSync(path.join(models, 'digits-mlp', 'CURRENT'), 'good\n');
      // Seal first, then damage: the checksum no longer matches.
      await sealAgain(path.join(models, 'digits-mlp', 'flipped'));
      flipByte(path.join(models, 'digits-mlp', 'flipped', 'weights.bin'), 1000);
      // Damage first, then seal: the checksums match and only the loader can tell.
      const truncated = path.join(models, 'digits-mlp', 'truncated', 'weights.bin');
      writeFileSync(truncated, readFileSync(truncated).subarray(0, 1000));
      await sealAgain(path.join(models, 'digits-mlp', 'truncated'));
      await sealAgain(path.join(models, 'digits-mlp', 'good'));
      service = await start(root);
    });

    afterAll(async () => {
      await stop(service);
      rmSync(root, { recursive: true, force: true });
    });

    const promote = (version: string) =>
      (service as Service).app.request('/admin/models/digits-mlp/promote', {
        method: 'POST',
        headers: { ...authHeader, 'Content-Type': 'application/json' },
        body: JSON.stringify({ version }),
      });

    const readSeven = async () => {
      const response = await (service as Service).app.request('/api/digit', {
        method: 'POST',
        headers: { 'Content-Type': 'image/png' },
        body: await drawSeven(),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };

    it('rejects promoting a version whose checksum fails', async () => {
      const response = await promote('flipped');
      expect(response.status).toBe(500);
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('MODEL_INVALID');
      expect(body.error.message).toMatch(/weights\.bin .* corrupt or truncated/);
      const answer = await readSeven();
      expect(answer.status).toBe(200);
      expect(answer.body.modelVersion).toBe('good');
    });

    it('keeps the old version when a sealed but truncated version fails to load', async () => {
      const response = await promote('truncated');
      expect(response.status).toBe(500);
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('MODEL_INVALID');
      expect(body.error.message).toMatch(/failed to load, so good keeps serving/);
      expect((await service?.registry.serving('digits-mlp'))?.version).toBe('good');
      const answer = await readSeven();
      expect(answer.status).toBe(200);
      expect(answer.body.modelVersion).toBe('good');
      expect(answer.body.text).toBe('7');
    });

    it('starts without a serving version that is corrupt and says why', async () => {
      writeFileSync(path.join(root, 'models', 'digits-mlp', 'CURRENT'), 'flipped\n');
      rmSync(path.join(root, 'data', 'models'), { recursive: true, force: true });
      await stop(service);
      service = await start(root);
      expect(service.host.loadedVersion('digits-mlp')).toBeUndefined();
      const answer = await readSeven();
      expect(answer.status).toBe(503);
      const error = answer.body.error as { code: string; message: string };
      expect(error.code).toBe('MODEL_NOT_FOUND');
      expect(error.message).toMatch(/corrupt or truncated/);
    });
  },
);
