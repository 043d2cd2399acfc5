import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ModelHost } from '../../src/models/host.ts';
import { decidePromotion, ModelRegistry } from '../../src/models/registry.ts';
import {
  createFakeRuntime,
  writeFakeVersion,
  writeFakeVersionDir,
} from './fixtures/fake-models.ts';

describe('decidePromotion', () => {
  it.each([
    [0.9, undefined, true],
    [0.9, 0.9, true],
    [0.8951, 0.9, true],
    [0.895, 0.9, true],
    [0.8949, 0.9, false],
    [0.5, 0.9, false],
    [0.95, 0.9, true],
  ])('candidate %f against serving %s promotes: %s', (candidate, serving, expected) => {
    expect(decidePromotion(candidate, serving).promote).toBe(expected);
  });
});

describe('ModelRegistry', () => {
  let root: string;
  let registry: ModelRegistry;
  let modelsDir: string;
  let dataDir: string;

  beforeEach(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'nunchi-registry-'));
    modelsDir = path.join(root, 'shipped');
    dataDir = path.join(root, 'data');
    await writeFakeVersion(modelsDir, 'digits-mlp', 'v1', { accuracy: 0.9 }, { current: true });
    registry = new ModelRegistry({ modelsDir, dataDir });
  });

  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('serves the shipped version until a runtime CURRENT exists', async () => {
    expect((await registry.serving('digits-mlp'))?.version).toBe('v1');
    expect(await registry.serving('digits-cnn')).toBeUndefined();
  });

  it('installs a staged version by rename and promotes it', async () => {
    const staging = await registry.stagingDir('digits-mlp', 'job1');
    await writeFakeVersionDir(staging, 'digits-mlp', 'v7', { accuracy: 0.91 });
    // The sealed metadata names another version, so install must reject it.
    await expect(registry.install('digits-mlp', staging, 'v2')).rejects.toThrow(
      /expected digits-mlp v2/,
    );

    const good = await registry.stagingDir('digits-mlp', 'job2');
    await writeFakeVersionDir(good, 'digits-mlp', 'v2', { accuracy: 0.91 });
    const dir = await registry.install('digits-mlp', good, 'v2');
    expect(existsSync(good)).toBe(false);
    expect(dir).toBe(path.join(dataDir, 'models', 'digits-mlp', 'v2'));

    const { previous } = await registry.setServing('digits-mlp', 'v2');
    expect(previous).toBe('v1');
    const current = readFileSync(path.join(dataDir, 'models', 'digits-mlp', 'CURRENT'), 'utf8');
    expect(current.trim()).toBe('v2');
    const versions = await registry.listVersions('digits-mlp');
    expect(versions.map((v) => [v.version, v.source, v.status])).toEqual([
      ['v1', 'shipped', 'previous'],
      ['v2', 'trained', 'serving'],
    ]);
  });

  it('rolls back through the serving history', async () => {
    await writeFakeVersion(path.join(dataDir, 'models'), 'digits-mlp', 'v2', { accuracy: 0.9 });
    await writeFakeVersion(path.join(dataDir, 'models'), 'digits-mlp', 'v3', { accuracy: 0.9 });
    await registry.setServing('digits-mlp', 'v2');
    await registry.setServing('digits-mlp', 'v3');
    expect(await registry.rollback('digits-mlp')).toEqual({ from: 'v3', to: 'v2' });
    expect(await registry.rollback('digits-mlp')).toEqual({ from: 'v2', to: 'v1' });
    expect((await registry.serving('digits-mlp'))?.version).toBe('v1');
    await expect(registry.rollback('digits-mlp')).rejects.toThrow(/no earlier version/);
  });

  it('repairs HISTORY after a switch that never reached CURRENT', async () => {
    await writeFakeVersion(path.join(dataDir, 'models'), 'digits-mlp', 'v2', { accuracy: 0.9 });
    const folder = path.join(dataDir, 'models', 'digits-mlp');
    writeFileSync(path.join(folder, 'HISTORY.json'), JSON.stringify(['v1', 'v2']));
    expect(await registry.history('digits-mlp')).toEqual(['v1']);
    const versions = await registry.listVersions('digits-mlp');
    expect(versions.find((entry) => entry.version === 'v2')?.status).toBe('candidate');
  });

  it('refuses to serve a version whose files were altered', async () => {
    const dir = await writeFakeVersion(path.join(dataDir, 'models'), 'digits-mlp', 'v2', {
      accuracy: 0.9,
    });
    writeFileSync(path.join(dir, 'weights.json'), '{"accuracy": 1}');
    await expect(registry.setServing('digits-mlp', 'v2')).rejects.toThrow(/corrupt or truncated/);
    expect((await registry.serving('digits-mlp'))?.version).toBe('v1');
  });

  it('rejects version ids that leave the model folder', async () => {
    await expect(registry.setServing('digits-mlp', '../../etc')).rejects.toThrow(/Invalid version/);
  });

  it('removes staging directories left by a crash', async () => {
    const staging = await registry.stagingDir('digits-mlp', 'crashed');
    await writeFakeVersionDir(staging, 'digits-mlp', 'v2', { accuracy: 0.5 });
    expect(await registry.removeStagingDirs()).toBe(1);
    expect(existsSync(staging)).toBe(false);
    expect((await registry.listVersions('digits-mlp')).map((v) => v.version)).toEqual(['v1']);
  });
});

describe('ModelHost', () => {
  let root: string;

  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'nunchi-host-'));
  });

  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('disposes a swapped-out model only after its requests finish', async () => {
    const modelsDir = path.join(root, 'shipped');
    const dataDir = path.join(root, 'data');
    await writeFakeVersion(modelsDir, 'digits-mlp', 'v1', { accuracy: 0.9 }, { current: true });
    await writeFakeVersion(path.join(dataDir, 'models'), 'digits-mlp', 'v2', { accuracy: 0.9 });
    const registry = new ModelRegistry({ modelsDir, dataDir });
    const runtime = createFakeRuntime();
    let release: () => void = () => undefined;
    const slowRead = runtime.readDigits;
    runtime.readDigits = async (image, model, options) => {
      await new Promise<void>((resolve) => (release = resolve));
      return slowRead(image, model, options);
    };
    const host = new ModelHost({ registry, runtime });
    await host.start();

    const pending = host.readDigits(new Uint8Array([1, 2, 3, 4]));
    await registry.setServing('digits-mlp', 'v2');
    await host.reload('digits-mlp');
    expect(host.loadedVersion('digits-mlp')).toBe('v2');
    expect(runtime.disposed).toEqual([]);
    release();
    expect((await pending).modelVersion).toBe('v1');
    expect(runtime.disposed).toEqual(['digits-mlp@v1']);
    host.close();
    expect(runtime.disposed).toEqual(['digits-mlp@v1', 'digits-mlp@v2']);
  });

  it('keeps the old model when the new version fails to load', async () => {
    const modelsDir = path.join(root, 'shipped');
    const dataDir = path.join(root, 'data');
    await writeFakeVersion(modelsDir, 'digits-mlp', 'v1', { accuracy: 0.9 }, { current: true });
    await writeFakeVersion(path.join(dataDir, 'models'), 'digits-mlp', 'v2', {
      accuracy: 0.9,
      broken: true,
    });
    const registry = new ModelRegistry({ modelsDir, dataDir });
    const host = new ModelHost({ registry, runtime: createFakeRuntime() });
    await host.start();
    await registry.setServing('digits-mlp', 'v2');
    await expect(host.reload('digits-mlp')).rejects.toThrow(/broken/);
    expect(host.loadedVersion('digits-mlp')).toBe('v1');
    expect((await host.readDigits(new Uint8Array([1, 2, 3, 4]))).modelVersion).toBe('v1');
  });
});
