import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/core/config.ts';
import { ENGLISH_CONFIG } from '../../src/training/sentiment/config.ts';
import { trainSentimentModel } from '../../src/training/sentiment/trainer.ts';
import { tinyConfig, writeSyntheticCsv } from './fixtures.ts';

const run = promisify(execFile);

describe('sentiment CLI', () => {
  let dir: string;
  let dataFile: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'nunchi-sentiment-cli-'));
    dataFile = writeSyntheticCsv(dir, 'en', 300, 4);
    const modelsDir = path.join(dir, 'models');
    mkdirSync(path.join(modelsDir, 'sentiment-en'), { recursive: true });
    await trainSentimentModel(tinyConfig(ENGLISH_CONFIG), {
      outDir: path.join(modelsDir, 'sentiment-en', 'v-cli'),
      version: 'v-cli',
      dataPath: dataFile,
    });
    writeFileSync(path.join(modelsDir, 'sentiment-en', 'CURRENT'), 'v-cli\n');
    env = {
      ...process.env,
      MODELS_DIR: modelsDir,
      DATA_DIR: path.join(dir, 'var'),
      LOG_LEVEL: 'silent',
    };
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const cli = (args: string[]) =>
    run(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', ...args], {
      cwd: PROJECT_ROOT,
      env,
    });

  it('prints one JSON result for a text', async () => {
    const { stdout } = await cli(['sentiment', 'the film was great and wonderful', '--json']);
    const result = JSON.parse(stdout);
    expect(result.label).toBe('positive');
    expect(result.model).toBe('sentiment-en');
    expect(result.modelVersion).toBe('v-cli');
    expect(result.language).toBe('en');
    expect(Array.isArray(result.topWords)).toBe(true);
  });

  it('evaluates on a data file as one JSON object', async () => {
    const { stdout } = await cli(['evaluate', 'sentiment-en', '--data', dataFile, '--json']);
    const metrics = JSON.parse(stdout);
    expect(metrics.n).toBe(300);
    expect(metrics.accuracy).toBeGreaterThan(0.9);
  });
});
