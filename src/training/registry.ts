/**
 * @module Trainers by model name. The CLI `train` and `evaluate` commands and the admin retrain
 * job both go through this table, so every entry point trains and scores a model the same way.
 */
import type { ModelMetrics, ModelName, TrainingProgress } from '../core/contracts.ts';
import type { ModelMetadata } from '../core/model-dir.ts';

/** A labelled example from a custom data set or from user feedback. */
export interface LabelledExample {
  text: string;
  /** 1 positive, 0 negative for sentiment. */
  label: number;
}

export interface TrainOptions {
  /** Directory to write the finished model version into; it must not exist yet. */
  outDir: string;
  /** Version id written into metadata.json. */
  version: string;
  epochs?: number;
  /** Training data path; each trainer documents the formats it reads and its default. */
  dataPath?: string;
  /** Extra labelled examples appended to the training split (feedback, uploaded data sets). */
  extraExamples?: LabelledExample[];
  /** Train on at most this many examples (tests and smoke runs). */
  limit?: number;
  seed?: number;
  signal?: AbortSignal;
  onProgress?: (progress: TrainingProgress) => void;
}

export interface EvaluateOptions {
  /** Held-out data path; each trainer documents the formats it reads and its default. */
  dataPath?: string;
  limit?: number;
}

export interface ModelTrainer {
  name: ModelName;
  /** Trains a new version into `options.outDir` and returns its sealed metadata. */
  train(options: TrainOptions): Promise<ModelMetadata>;
  /** Scores the model version in `modelDir` on held-out data. */
  evaluate(modelDir: string, options: EvaluateOptions): Promise<ModelMetrics>;
}

const TRAINERS: Record<ModelName, () => Promise<ModelTrainer>> = {
  'sentiment-ko': async () => (await import('./sentiment/trainer.ts')).koreanSentimentTrainer,
  'sentiment-en': async () => (await import('./sentiment/trainer.ts')).englishSentimentTrainer,
  'digits-cnn': async () => (await import('../vision/train.ts')).digitsCnnTrainer,
  'digits-mlp': async () => (await import('../vision/train.ts')).digitsMlpTrainer,
};

/** Loads the trainer of `name` on first use, so that importing this table loads no model code. */
export async function getTrainer(name: ModelName): Promise<ModelTrainer> {
  return TRAINERS[name]();
}
