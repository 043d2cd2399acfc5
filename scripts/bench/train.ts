/**
 * @module `npm run bench -- train`: one training epoch of each sentiment CNN on the fast
 * Float32Array path. English: the Keras IMDB example's size (5,000-word vocabulary, 400 tokens,
 * 50-wide embedding, 250 filters of width 3, 250 hidden units) over the 25,000 IMDB train
 * reviews. Korean: the shipped configuration over the NSMC train file.
 *
 * Options: `--lang=en` or `--lang=ko` runs one language; `--fraction=0.2` trains on that share
 * of the batches and scales the time up to a full epoch.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { getConfig, PROJECT_ROOT } from '../../src/core/config.ts';
import { initTf } from '../../src/core/tf.ts';
import { Vocabulary } from '../../src/nlp/index.ts';
import { tokenizeForModel } from '../../src/nlp/sentiment/text.ts';
import { loadImdb, loadNsmc } from '../../src/training/datasets/index.ts';
import {
  initCnnWeights,
  packBatch,
  TextCnn,
  type CnnConfig,
} from '../../src/training/engine/cnn.ts';
import { createTfMatMul } from '../../src/training/engine/layers.ts';
import { createRandom } from '../../src/training/engine/random.ts';
import {
  ENGLISH_CONFIG,
  KOREAN_CONFIG,
  type SentimentTrainingConfig,
} from '../../src/training/sentiment/config.ts';
import { bucketedBatches } from '../../src/training/sentiment/fast-train.ts';
import type { BenchSection } from './index.ts';

const KERAS_ENGLISH: CnnConfig = {
  vocabularySize: 5_000,
  embeddingDim: 50,
  maxLength: 400,
  kernelSizes: [3],
  filters: 250,
  hiddenUnits: 250,
  embeddingDropout: 0.2,
  hiddenDropout: 0.2,
};

/** Epoch targets in seconds on a 2-core machine without native TensorFlow. */
const TARGET_SECONDS = { en: 300, ko: 480 };

interface EpochRun {
  lang: 'en' | 'ko';
  texts: number;
  tokenizeSeconds: number;
  batches: number;
  batchesRun: number;
  epochSeconds: number;
  msPerBatch: number;
  finalLoss: number;
  config: CnnConfig;
}

function option(args: string[], name: string): string | undefined {
  return args.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
}

async function runEpoch(
  lang: 'en' | 'ko',
  texts: string[],
  labels: number[],
  training: SentimentTrainingConfig,
  cnnConfig: CnnConfig,
  fraction: number,
): Promise<EpochRun> {
  const { tf } = await initTf();
  const tokenizeStart = performance.now();
  const { tokens } = await tokenizeForModel(texts, training.tokens);
  const tokenizeSeconds = (performance.now() - tokenizeStart) / 1000;

  const vocabulary = Vocabulary.build(tokens, {
    maxSize: cnnConfig.vocabularySize,
    minCount: training.minTokenCount,
  });
  const config = { ...cnnConfig, vocabularySize: vocabulary.size };
  const sequences = tokens.map((list) =>
    Int32Array.from(list.slice(0, config.maxLength), (token) => vocabulary.idOf(token)),
  );

  const cnn = new TextCnn(config, initCnnWeights(config, 1), createTfMatMul(tf));
  const random = createRandom(2);
  const batches = bucketedBatches(
    sequences.map((sequence) => sequence.length),
    training.batchSize,
    random,
  );
  const batchesRun = Math.max(1, Math.round(batches.length * fraction));
  let finalLoss = Number.NaN;
  const start = performance.now();
  for (const indices of batches.slice(0, batchesRun)) {
    const batch = packBatch(
      indices.map((i) => sequences[i]),
      config,
    );
    const batchLabels = new Float32Array(indices.map((i) => labels[i]));
    finalLoss = cnn.trainStep(
      batch,
      batchLabels,
      { learningRate: training.learningRate },
      random,
    ).loss;
  }
  const seconds = (performance.now() - start) / 1000;

  return {
    lang,
    texts: texts.length,
    tokenizeSeconds,
    batches: batches.length,
    batchesRun,
    epochSeconds: (seconds * batches.length) / batchesRun,
    msPerBatch: (seconds * 1000) / batchesRun,
    finalLoss,
    config,
  };
}

function readReference(): Record<string, number> | undefined {
  const file = path.join(PROJECT_ROOT, 'var', 'bench', 'pytorch-reference.json');
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, number>;
}

export default async function trainBenchmark(args: string[]): Promise<BenchSection> {
  const lang = option(args, 'lang');
  const fraction = Math.min(1, Math.max(0.01, Number(option(args, 'fraction') ?? 1)));
  const runs: EpochRun[] = [];
  if (lang !== 'ko') {
    const imdb = await loadImdb();
    runs.push(
      await runEpoch(
        'en',
        imdb.train.map((example) => example.text),
        imdb.train.map((example) => example.label),
        ENGLISH_CONFIG,
        KERAS_ENGLISH,
        fraction,
      ),
    );
  }
  if (lang !== 'en' && existsSync(getConfig().nsmcDir)) {
    const nsmc = await loadNsmc(getConfig().nsmcDir);
    runs.push(
      await runEpoch(
        'ko',
        nsmc.train.map((example) => example.text),
        nsmc.train.map((example) => example.label),
        KOREAN_CONFIG,
        KOREAN_CONFIG.cnn,
        fraction,
      ),
    );
  }
  const reference = readReference();
  const rows = runs.map((run) => {
    const c = run.config;
    const shape = `V ${c.vocabularySize}, E ${c.embeddingDim}, ${c.maxLength} tokens, ${c.filters} filters x k ${c.kernelSizes.join('/')}, H ${c.hiddenUnits}`;
    const pytorch = reference?.[`${run.lang}EpochSeconds`];
    return (
      `| ${run.lang} | ${run.texts} | ${shape} | ${run.tokenizeSeconds.toFixed(1)} | ` +
      `${run.msPerBatch.toFixed(1)} | ${run.epochSeconds.toFixed(1)} | ${TARGET_SECONDS[run.lang]} | ` +
      `${pytorch === undefined ? 'not run' : pytorch.toFixed(1)} |`
    );
  });
  const markdown = [
    '| model | texts | CNN shape | tokenize s | ms / batch of 32 | epoch s | target s | PyTorch epoch s |',
    '| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    `Float32Array CNN with wasm matMul for the convolution; ${fraction < 1 ? `${Math.round(fraction * 100)}% of the batches timed and scaled to a full epoch` : 'full epoch timed'}. ` +
      'Tokenizing is timed apart from the epoch. The PyTorch column reads var/bench/pytorch-reference.json ' +
      '(enEpochSeconds, koEpochSeconds) when a reference run wrote it.',
  ].join('\n');
  return { title: 'Sentiment CNN training epoch', markdown, data: { runs, reference, fraction } };
}
