/**
 * @module The model host: loads each model's serving version once per process and serves the
 * Classifier contract over them. A promote or rollback swaps the model atomically. When the new
 * version fails to load, the old one keeps serving. A swapped-out model is disposed only after the
 * requests that were using it finish.
 */
import type { Logger } from 'pino';
import {
  MODEL_NAMES,
  type Classifier,
  type DigitAnswer,
  type DigitModelName,
  type ModelName,
  type ModelSummary,
  type SentimentResult,
} from '../core/contracts.ts';
import { NunchiError } from '../core/errors.ts';
import { getLogger } from '../core/logger.ts';
import type { ModelRegistry } from './registry.ts';
import type { LoadedModel, ModelRuntime } from './runtime.ts';

interface Slot {
  name: ModelName;
  version: string;
  model: LoadedModel;
  inFlight: number;
  retired: boolean;
}

export interface ModelHostOptions {
  registry: ModelRegistry;
  runtime: ModelRuntime;
  /** Digit models in order of preference; readDigits uses the first one that is loaded. */
  digitModels?: DigitModelName[];
  logger?: Logger;
}

const isSentiment = (name: ModelName) => name.startsWith('sentiment-');

export class ModelHost implements Classifier {
  private readonly slots = new Map<ModelName, Slot>();
  private readonly reloads = new Map<ModelName, Promise<unknown>>();
  /** Start-up load error of each model whose serving version failed, cleared once a version loads. */
  private readonly loadErrors = new Map<ModelName, string>();
  private readonly registry: ModelRegistry;
  private readonly runtime: ModelRuntime;
  private readonly digitModels: DigitModelName[];
  private readonly log: Logger;

  constructor(options: ModelHostOptions) {
    this.registry = options.registry;
    this.runtime = options.runtime;
    this.digitModels = options.digitModels ?? ['digits-cnn', 'digits-mlp'];
    this.log = options.logger ?? getLogger('http');
  }

  /**
   * Loads the serving version of every model. A model that has no version or fails to load is
   * logged and left out; its requests fail with MODEL_NOT_FOUND until a version loads.
   */
  async start(): Promise<{ name: ModelName; version?: string; error?: string }[]> {
    const outcomes = [];
    for (const name of MODEL_NAMES) {
      try {
        const { version } = await this.reload(name);
        outcomes.push({ name, version });
      } catch (error) {
        const message = (error as Error).message;
        this.log.warn({ model: name, err: message }, 'model not loaded');
        this.loadErrors.set(name, message);
        outcomes.push({ name, error: message });
      }
    }
    return outcomes;
  }

  /** Loads the model in `dir` the way serving would, then frees it. */
  async checkLoads(name: ModelName, dir: string): Promise<void> {
    const model = await this.loadFrom(name, dir);
    model.dispose();
  }

  /**
   * Loads the registry's serving version of `name` and swaps it in. Reloads of one model run one
   * at a time.
   *
   * @throws NunchiError MODEL_NOT_FOUND when no version is installed; the loader's error when the
   *   version fails to load, in which case the previous model keeps serving.
   */
  async reload(name: ModelName): Promise<{ version: string; changed: boolean }> {
    const previous = this.reloads.get(name) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.swapIn(name));
    this.reloads.set(name, next);
    return next;
  }

  private async swapIn(name: ModelName): Promise<{ version: string; changed: boolean }> {
    const serving = await this.registry.serving(name);
    if (!serving) {
      throw new NunchiError('MODEL_NOT_FOUND', `No version of ${name} is installed`, { name });
    }
    const old = this.slots.get(name);
    if (old && old.version === serving.version) return { version: old.version, changed: false };
    const model = await this.loadFrom(name, serving.dir);
    this.slots.set(name, { name, version: serving.version, model, inFlight: 0, retired: false });
    this.loadErrors.delete(name);
    if (old) this.retire(old);
    this.log.info({ model: name, version: serving.version, from: old?.version }, 'model serving');
    return { version: serving.version, changed: true };
  }

  private async loadFrom(name: ModelName, dir: string): Promise<LoadedModel> {
    return isSentiment(name)
      ? this.runtime.loadSentimentModel(dir)
      : this.runtime.loadDigitModel(dir);
  }

  private retire(slot: Slot): void {
    slot.retired = true;
    if (slot.inFlight === 0) slot.model.dispose();
  }

  private acquire(name: ModelName): Slot | undefined {
    const slot = this.slots.get(name);
    if (slot) slot.inFlight += 1;
    return slot;
  }

  private release(slot: Slot | undefined): void {
    if (!slot) return;
    slot.inFlight -= 1;
    if (slot.retired && slot.inFlight === 0) slot.model.dispose();
  }

  async classifySentiment(
    text: string,
    options: { lang?: 'ko' | 'en' } = {},
  ): Promise<SentimentResult> {
    const ko = this.acquire('sentiment-ko');
    const en = this.acquire('sentiment-en');
    try {
      if (!ko && !en) {
        throw new NunchiError(
          'MODEL_NOT_FOUND',
          'No sentiment model is loaded; train one with `npm run cli -- train sentiment-ko`' +
            this.describeLoadErrors(['sentiment-ko', 'sentiment-en']),
        );
      }
      return await this.runtime.classifySentiment(
        text,
        { ko: ko?.model, en: en?.model },
        { lang: options.lang },
      );
    } finally {
      this.release(ko);
      this.release(en);
    }
  }

  async readDigits(
    image: Uint8Array,
    options: { debugImage?: boolean } = {},
  ): Promise<DigitAnswer> {
    const name = this.digitModels.find((candidate) => this.slots.has(candidate));
    const slot = name ? this.acquire(name) : undefined;
    try {
      if (!slot) {
        throw new NunchiError(
          'MODEL_NOT_FOUND',
          'No digit model is loaded; train one with `npm run cli -- train digits-mlp`' +
            this.describeLoadErrors(this.digitModels),
        );
      }
      return await this.runtime.readDigits(image, slot.model, options);
    } finally {
      this.release(slot);
    }
  }

  /** Formats the start-up load failures of `names` as a sentence to append to an error message. */
  private describeLoadErrors(names: readonly ModelName[]): string {
    const reasons = names
      .filter((name) => this.loadErrors.has(name))
      .map((name) => `${name} failed to load: ${this.loadErrors.get(name)}`);
    return reasons.length > 0 ? `. ${reasons.join('. ')}` : '';
  }

  describeModels(): ModelSummary[] {
    return [...this.slots.values()].map((slot) => ({
      name: slot.name,
      version: slot.version,
      accuracy: slot.model.metadata?.metrics?.accuracy,
      createdAt: slot.model.metadata?.createdAt,
    }));
  }

  /** Version loaded for `name`, or undefined. */
  loadedVersion(name: ModelName): string | undefined {
    return this.slots.get(name)?.version;
  }

  /** Frees every loaded model; call after the server stopped taking requests. */
  close(): void {
    for (const slot of this.slots.values()) this.retire(slot);
    this.slots.clear();
  }
}
