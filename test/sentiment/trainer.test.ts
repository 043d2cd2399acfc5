import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrainingProgress } from '../../src/core/contracts.ts';
import { isNunchiError } from '../../src/core/errors.ts';
import { sealModelDir, verifyModelDir, type ModelMetadata } from '../../src/core/model-dir.ts';
import { initTf } from '../../src/core/tf.ts';
import {
  classifySentiment,
  classifySentimentBatch,
  loadSentimentModel,
  type SentimentModel,
} from '../../src/nlp/sentiment/index.ts';
import { ENGLISH_CONFIG, KOREAN_CONFIG } from '../../src/training/sentiment/config.ts';
import {
  evaluateSentimentModel,
  trainSentimentModel,
} from '../../src/training/sentiment/trainer.ts';
import { tinyConfig, writeSyntheticCsv } from './fixtures.ts';

const EN = tinyConfig(ENGLISH_CONFIG);
const KO = tinyConfig(KOREAN_CONFIG);

describe('sentiment trainer and serving', () => {
  let dir: string;
  let englishDir: string;
  let koreanDir: string;
  let englishData: string;
  const phases = new Set<TrainingProgress['phase']>();
  let tensorsBeforeTraining = 0;
  let tensorsAfterTraining = 0;

  beforeAll(async () => {
    await initTf();
    dir = mkdtempSync(path.join(os.tmpdir(), 'nunchi-sentiment-'));
    englishData = writeSyntheticCsv(dir, 'en', 400);
    englishDir = path.join(dir, 'sentiment-en', 'v-test');
    koreanDir = path.join(dir, 'sentiment-ko', 'v-test');
    tensorsBeforeTraining = tf.memory().numTensors;
    await trainSentimentModel(EN, {
      outDir: englishDir,
      version: 'v-test',
      dataPath: englishData,
      onProgress: (progress) => phases.add(progress.phase),
    });
    await trainSentimentModel(KO, {
      outDir: koreanDir,
      version: 'v-test',
      dataPath: writeSyntheticCsv(dir, 'ko', 400, 2),
    });
    tensorsAfterTraining = tf.memory().numTensors;
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes a sealed version with metrics and settings', async () => {
    const metadata = await verifyModelDir(englishDir);
    expect(metadata.name).toBe('sentiment-en');
    expect(metadata.kind).toBe('cnn1d+ngram');
    expect(metadata.metrics.accuracy).toBeGreaterThan(0.9);
    expect(metadata.metrics.n).toBe(40);
    expect(metadata.metrics).toHaveProperty('rocAuc');
    expect(metadata.metrics).toHaveProperty('confusionMatrix');
    expect(metadata.validationMetrics?.n).toBe(36);
    expect(Object.keys(metadata.files).sort()).toEqual([
      'model.json',
      'ngram.bin',
      'ngram.json',
      'vocabulary.json',
      'weights.bin',
    ]);
    expect(existsSync(`${englishDir}.partial`)).toBe(false);
  });

  it('reports every phase and leaves no tensors after training', () => {
    expect([...phases]).toEqual(
      expect.arrayContaining(['loading', 'tokenizing', 'training', 'evaluating', 'saving', 'done']),
    );
    expect(tensorsAfterTraining).toBe(tensorsBeforeTraining);
  });

  it('classifies and releases tensors per prediction and per model', async () => {
    const baseline = tf.memory().numTensors;
    const model = await loadSentimentModel(englishDir);
    const loaded = tf.memory().numTensors;
    expect(loaded).toBeGreaterThan(baseline);
    const positive = await classifySentiment('the movie was great and wonderful', { en: model });
    expect(tf.memory().numTensors).toBe(loaded);
    const negative = await classifySentiment('the plot was awful and boring', { en: model });
    expect(positive.label).toBe('positive');
    expect(negative.label).toBe('negative');
    expect(positive.model).toBe('sentiment-en');
    expect(positive.language).toBe('en');
    expect(positive.topWords.length).toBeGreaterThan(0);
    expect(positive.topWords[0].weight).toBeGreaterThan(0);
    const batch = await classifySentimentBatch(['great film', 'terrible waste', 'loved it'], {
      en: model,
    });
    expect(batch.map((result) => result.label)).toEqual(['positive', 'negative', 'positive']);
    expect(tf.memory().numTensors).toBe(loaded);
    model.dispose();
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it('routes mixed text to the model of its dominant script', async () => {
    const models: { ko: SentimentModel; en: SentimentModel } = {
      ko: await loadSentimentModel(koreanDir),
      en: await loadSentimentModel(englishDir),
    };
    try {
      const mostlyKorean = await classifySentiment('이 영화 최고 명작 good fun', models);
      expect(mostlyKorean.language).toBe('mixed');
      expect(mostlyKorean.model).toBe('sentiment-ko');
      const mostlyEnglish = await classifySentiment('awful boring film 최악 별로', models);
      expect(mostlyEnglish.language).toBe('mixed');
      expect(mostlyEnglish.model).toBe('sentiment-en');
      expect(mostlyEnglish.label).toBe('negative');
      const forced = await classifySentiment('이 영화 최고 good', models, { lang: 'en' });
      expect(forced.model).toBe('sentiment-en');
      await expect(classifySentiment('이 영화 최고', models, { lang: 'en' })).rejects.toThrow(
        /contains no Latin letters/,
      );
    } finally {
      models.ko.dispose();
      models.en.dispose();
    }
  });

  it('evaluates a version on a labelled file', async () => {
    const metrics = await evaluateSentimentModel(EN, englishDir, { dataPath: englishData });
    expect(metrics.n).toBe(400);
    expect(metrics.accuracy).toBeGreaterThan(0.9);
  });

  it('rejects a truncated weights file at load', async () => {
    const copy = path.join(dir, 'corrupt');
    rmSync(copy, { recursive: true, force: true });
    await import('node:fs/promises').then((fs) => fs.cp(englishDir, copy, { recursive: true }));
    const weights = path.join(copy, 'weights.bin');
    writeFileSync(weights, readFileSync(weights).subarray(0, 100));
    const baseline = tf.memory().numTensors;
    await expect(loadSentimentModel(copy)).rejects.toMatchObject({ code: 'MODEL_INVALID' });
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it('rejects a vocabulary that does not fit the embedding', async () => {
    const copy = path.join(dir, 'mismatch');
    rmSync(copy, { recursive: true, force: true });
    const fs = await import('node:fs/promises');
    await fs.cp(englishDir, copy, { recursive: true });
    const vocabularyFile = path.join(copy, 'vocabulary.json');
    const vocabulary = JSON.parse(readFileSync(vocabularyFile, 'utf8'));
    vocabulary.tokens.push('an-extra-token');
    writeFileSync(vocabularyFile, JSON.stringify(vocabulary));
    const metadata: Partial<ModelMetadata> = { ...(await verifyModelDir(englishDir)) };
    delete metadata.files;
    await sealModelDir(copy, metadata as ModelMetadata);
    const baseline = tf.memory().numTensors;
    await expect(loadSentimentModel(copy)).rejects.toMatchObject({ code: 'MODEL_MISMATCH' });
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it('stops promptly when cancelled and writes nothing', async () => {
    const controller = new AbortController();
    const outDir = path.join(dir, 'cancelled');
    const run = trainSentimentModel(EN, {
      outDir,
      version: 'v-cancel',
      dataPath: englishData,
      signal: controller.signal,
      onProgress: (progress) => {
        if (progress.phase === 'training') controller.abort();
      },
    });
    let caught: unknown;
    try {
      await run;
    } catch (error) {
      caught = error;
    }
    expect(isNunchiError(caught, 'TRAINING_FAILED')).toBe(true);
    expect((caught as Error).message).toMatch(/cancelled/);
    expect(existsSync(outDir)).toBe(false);
    expect(existsSync(`${outDir}.partial`)).toBe(false);
  });
});
