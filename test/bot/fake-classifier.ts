/**
 * @module A deterministic Classifier for bot tests: words from small Korean and English lists
 * decide the label, and an optional delay simulates a slow model.
 */
import type {
  Classifier,
  DigitAnswer,
  ModelSummary,
  SentimentResult,
} from '../../src/core/contracts.ts';
import { NunchiError } from '../../src/core/errors.ts';

const NEGATIVE = ['별로', '최악', '지루', 'bad', 'boring', 'awful', 'worst'];
const POSITIVE = ['좋', '최고', '재밌', 'great', 'good', 'superb', 'loved'];
/** A 1x1 transparent PNG, standing in for the enlarged 28x28 model input. */
export const DEBUG_PNG = Uint8Array.from(
  Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
    'base64',
  ),
);

export interface FakeClassifier extends Classifier {
  sentimentCalls: string[];
  digitCalls: Uint8Array[];
  /** Milliseconds each call waits before it returns. */
  delayMs: number;
  /** Error the next digit call throws, if any. */
  nextDigitError?: NunchiError;
}

export function createFakeClassifier(delayMs = 0): FakeClassifier {
  const fake: FakeClassifier = {
    sentimentCalls: [],
    digitCalls: [],
    delayMs,
    async classifySentiment(text, options = {}): Promise<SentimentResult> {
      fake.sentimentCalls.push(text);
      if (fake.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, fake.delayMs));
      if (text.trim() === '') throw new NunchiError('TEXT_EMPTY', 'empty', {});
      const hangul = /[\uac00-\ud7af]/.test(text);
      const language = options.lang ?? (hangul ? 'ko' : 'en');
      const words = text.toLowerCase().split(/\s+/).filter(Boolean);
      const negative = words.filter((word) => NEGATIVE.some((cue) => word.includes(cue)));
      const positive = words.filter((word) => POSITIVE.some((cue) => word.includes(cue)));
      const probabilityPositive = negative.length > positive.length ? 0.12 : 0.91;
      const label = probabilityPositive >= 0.5 ? 'positive' : 'negative';
      return {
        label,
        confidence: label === 'positive' ? probabilityPositive : 1 - probabilityPositive,
        probabilityPositive,
        language,
        model: language === 'ko' ? 'sentiment-ko' : 'sentiment-en',
        modelVersion: '20260101-000000',
        tokens: words,
        topWords: [
          ...negative.map((token) => ({ token, weight: -0.4 })),
          ...positive.map((token) => ({ token, weight: 0.3 })),
          ...words.slice(0, 2).map((token) => ({ token, weight: 0.01 })),
        ],
        truncated: text.length > 5000,
      };
    },
    async readDigits(image, options = {}): Promise<DigitAnswer> {
      fake.digitCalls.push(image);
      if (fake.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, fake.delayMs));
      const error = fake.nextDigitError;
      if (error) {
        fake.nextDigitError = undefined;
        throw error;
      }
      return {
        kind: 'digit',
        text: '7',
        digits: [
          {
            digit: 7,
            probability: 0.97,
            top: [
              { digit: 7, probability: 0.97 },
              { digit: 1, probability: 0.02 },
              { digit: 9, probability: 0.01 },
            ],
            box: { x: 0, y: 0, width: 28, height: 28 },
            input: new Uint8Array(28 * 28),
          },
        ],
        model: 'digits-cnn',
        modelVersion: '20260101-000001',
        ...(options.debugImage ? { debugImage: DEBUG_PNG } : {}),
      };
    },
    describeModels(): ModelSummary[] {
      return [
        {
          name: 'sentiment-ko',
          version: '20260101-000000',
          accuracy: 0.853,
          createdAt: '2026-01-01T00:00:00Z',
        },
        { name: 'digits-cnn', version: '20260101-000001', accuracy: 0.991, createdAt: undefined },
      ];
    },
  };
  return fake;
}
