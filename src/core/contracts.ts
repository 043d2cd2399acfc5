/**
 * @module Shapes shared by the CLI, the HTTP API, the web page and the Discord bot. Each area
 * implements these; front ends depend only on this file, so they can be tested with fakes.
 */

export type Language = 'ko' | 'en' | 'mixed' | 'unknown';
export type SentimentLabel = 'positive' | 'negative';
export type SentimentModelName = 'sentiment-ko' | 'sentiment-en';
export type DigitModelName = 'digits-cnn' | 'digits-mlp';
export type ModelName = SentimentModelName | DigitModelName;

export const MODEL_NAMES: readonly ModelName[] = [
  'sentiment-ko',
  'sentiment-en',
  'digits-cnn',
  'digits-mlp',
];

/** One token's share of a sentiment decision; positive weight pushes towards `positive`. */
export interface WordWeight {
  token: string;
  weight: number;
}

export interface SentimentResult {
  label: SentimentLabel;
  /** Probability of the returned label, from 0.5 to 1. */
  confidence: number;
  /** Probability that the text is positive, from 0 to 1. */
  probabilityPositive: number;
  /** Detected language of the input. */
  language: Language;
  /** Model that classified the text; mixed text goes to the model of its dominant script. */
  model: SentimentModelName;
  modelVersion: string;
  /** Tokens the model saw, after normalization and morphology. */
  tokens: string[];
  /** Tokens that pushed the decision most, strongest first. */
  topWords: WordWeight[];
  /** True when the input was cut to the maximum analysed length. */
  truncated: boolean;
}

export interface DigitCandidate {
  digit: number;
  probability: number;
}

export interface DigitReading {
  digit: number;
  probability: number;
  /** Top three candidates, most probable first. */
  top: DigitCandidate[];
  /** Bounding box of this digit's ink in the original image, in pixels. */
  box: { x: number; y: number; width: number; height: number };
  /** The 28x28 grayscale input the model saw, white strokes on black, row-major. */
  input: Uint8Array;
}

export interface DigitResult {
  /** 'digit' for one digit, 'number' for several read left to right, 'unsure' for a low top probability. */
  kind: 'digit' | 'number' | 'unsure';
  /** The digits read left to right, joined ("7" or "2026"). */
  text: string;
  digits: DigitReading[];
  model: DigitModelName;
  modelVersion: string;
}

/** Metrics stored beside every model version. */
export interface ModelMetrics {
  accuracy: number;
  n: number;
  [key: string]: unknown;
}

/** Progress reported by a training run, at most a few times per second. */
export interface TrainingProgress {
  phase: 'loading' | 'tokenizing' | 'training' | 'evaluating' | 'saving' | 'done';
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  loss?: number;
  accuracy?: number;
  validationAccuracy?: number;
  /** Estimated seconds left for the whole run. */
  etaSeconds?: number;
  message?: string;
}

/** One line of the model overview shown by `/model`, GET /admin/status and the web page. */
export interface ModelSummary {
  name: ModelName;
  version: string;
  accuracy: number | undefined;
  createdAt: string | undefined;
}

/** A digit result as returned to front ends, with the model's view as a PNG. */
export interface DigitAnswer extends DigitResult {
  /** The 28x28 inputs the model saw, enlarged and side by side, as PNG bytes. */
  debugImage?: Uint8Array;
}

/**
 * What the HTTP API, the web page and the bot call to classify. The model host implements it over
 * the serving model versions; tests substitute fakes.
 */
export interface Classifier {
  classifySentiment(text: string, options?: { lang?: 'ko' | 'en' }): Promise<SentimentResult>;
  readDigits(image: Uint8Array, options?: { debugImage?: boolean }): Promise<DigitAnswer>;
  describeModels(): ModelSummary[];
}
