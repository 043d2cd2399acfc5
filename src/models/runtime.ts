/**
 * @module What the model host needs from the sentiment and digit packages: loaders and inference
 * calls. The real ones are imported on first use, so importing the host loads no TensorFlow.js;
 * tests pass fakes with the same shapes.
 */
import type { DigitAnswer, SentimentResult } from '../core/contracts.ts';
import type { ModelMetadata } from '../core/model-dir.ts';

/** A model loaded into this process; `dispose` frees its tensors. */
export interface LoadedModel {
  name: string;
  version: string;
  metadata: ModelMetadata;
  dispose(): void;
}

export interface ModelRuntime {
  loadSentimentModel(dir: string): Promise<LoadedModel>;
  classifySentiment(
    text: string,
    models: { ko?: LoadedModel; en?: LoadedModel },
    options: { lang?: 'ko' | 'en' },
  ): Promise<SentimentResult>;
  loadDigitModel(dir: string): Promise<LoadedModel>;
  readDigits(
    image: Uint8Array,
    model: LoadedModel,
    options: { debugImage?: boolean },
  ): Promise<DigitAnswer>;
}

type SentimentModule = typeof import('../nlp/sentiment/index.ts');
type VisionModule = typeof import('../vision/index.ts');
type SentimentModel = Parameters<SentimentModule['classifySentiment']>[1]['ko'];
type DigitModel = Parameters<VisionModule['readDigits']>[1];

/**
 * Creates the runtime over src/nlp/sentiment and src/vision. Each package is imported on first use, and
 * the models passed back in are the ones its own loader returned.
 */
export function createDefaultRuntime(): ModelRuntime {
  let sentiment: Promise<SentimentModule> | undefined;
  let vision: Promise<VisionModule> | undefined;
  const loadSentiment = () => (sentiment ??= import('../nlp/sentiment/index.ts'));
  const loadVision = () => (vision ??= import('../vision/index.ts'));
  return {
    async loadSentimentModel(dir) {
      return (await loadSentiment()).loadSentimentModel(dir);
    },
    async classifySentiment(text, models, options) {
      const { classifySentiment } = await loadSentiment();
      return classifySentiment(
        text,
        { ko: models.ko as SentimentModel, en: models.en as SentimentModel },
        options,
      );
    },
    async loadDigitModel(dir) {
      return (await loadVision()).loadDigitModel(dir);
    },
    async readDigits(image, model, options) {
      return (await loadVision()).readDigits(image, model as DigitModel, options);
    },
  };
}
