/**
 * @module Default hyper-parameters of the two sentiment models. Epochs, the n-gram penalty and
 * the ensemble weight are chosen per run on a validation split carved from the training data;
 * the other values come from earlier validation runs listed in docs/sentiment.md. The test
 * splits played no part.
 */
import type { SentimentModelName } from '../../core/contracts.ts';
import type { TokenSettings } from '../../nlp/sentiment/text.ts';
import type { CnnConfig } from '../engine/cnn.ts';
import type { NgramConfig } from '../engine/ngram.ts';

export interface SentimentTrainingConfig {
  name: SentimentModelName;
  tokens: TokenSettings;
  /** CNN layer sizes; vocabularySize is the maximum, the built vocabulary may be smaller. */
  cnn: CnnConfig;
  /** Minimum training count of a token to enter the CNN vocabulary. */
  minTokenCount: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  ngram: NgramConfig;
  /** L2 penalties tried for the n-gram model; the best on validation is kept. */
  ngramL2Candidates: number[];
  /** Share of the training split held out for validation. */
  validationShare: number;
  seed: number;
}

export const ENGLISH_CONFIG: SentimentTrainingConfig = {
  name: 'sentiment-en',
  tokens: { language: 'en', stem: false, negation: false, maxChars: 20_000 },
  cnn: {
    vocabularySize: 20_000,
    embeddingDim: 50,
    maxLength: 400,
    kernelSizes: [3],
    filters: 250,
    hiddenUnits: 250,
    embeddingDropout: 0.2,
    hiddenDropout: 0.2,
  },
  minTokenCount: 2,
  epochs: 3,
  batchSize: 32,
  learningRate: 0.001,
  ngram: {
    maxN: 2,
    minDocumentCount: 2,
    maxFeatures: 300_000,
    l2: 6e-6,
    epochs: 10,
    learningRate: 0.01,
    batchSize: 256,
  },
  ngramL2Candidates: [3e-6, 6e-6, 1.2e-5],
  validationShare: 0.1,
  seed: 42,
};

export const KOREAN_CONFIG: SentimentTrainingConfig = {
  name: 'sentiment-ko',
  tokens: { language: 'ko', withPos: false, maxChars: 1_000 },
  cnn: {
    vocabularySize: 30_000,
    embeddingDim: 100,
    maxLength: 64,
    kernelSizes: [2, 3, 4],
    filters: 128,
    hiddenUnits: 128,
    embeddingDropout: 0.2,
    hiddenDropout: 0.3,
  },
  minTokenCount: 2,
  epochs: 2,
  batchSize: 32,
  learningRate: 0.001,
  ngram: {
    maxN: 3,
    minDocumentCount: 2,
    maxFeatures: 300_000,
    l2: 5e-6,
    epochs: 8,
    learningRate: 0.01,
    batchSize: 256,
  },
  ngramL2Candidates: [2.5e-6],
  validationShare: 0.1,
  seed: 42,
};
