/**
 * @module Token vocabulary built by frequency, with reserved ids for padding and unknown tokens.
 * It is saved as JSON beside the model it belongs to.
 */
import { NunchiError } from '../core/errors.ts';

/** Identifies the JSON format; bump `VOCABULARY_FORMAT_VERSION` when the shape changes. */
export const VOCABULARY_FORMAT = 'nunchi-vocabulary';
export const VOCABULARY_FORMAT_VERSION = 1;
export const PAD_TOKEN = '<pad>';
export const UNK_TOKEN = '<unk>';

export interface VocabularyJson {
  format: typeof VOCABULARY_FORMAT;
  version: typeof VOCABULARY_FORMAT_VERSION;
  /** Tokens by id; id 0 is PAD_TOKEN and id 1 is UNK_TOKEN. */
  tokens: string[];
}

export interface VocabularyBuildOptions {
  /** Size including the two reserved ids; the embedding needs this many rows. */
  maxSize: number;
  /** Tokens seen fewer times than this are left out. Default 1. */
  minCount?: number;
}

/** Sorts [token, count] pairs by falling count, then by code-point order of the token. */
function byCountThenToken(a: [string, number], b: [string, number]): number {
  if (a[1] !== b[1]) return b[1] - a[1];
  if (a[0] === b[0]) return 0;
  return a[0] < b[0] ? -1 : 1;
}

function invalid(message: string, details: Record<string, unknown> = {}): NunchiError {
  return new NunchiError('MODEL_INVALID', `Invalid vocabulary: ${message}`, details);
}

export class Vocabulary {
  static readonly PAD = 0;
  static readonly UNK = 1;

  private readonly ids: Map<string, number>;

  private constructor(private readonly tokens: readonly string[]) {
    this.ids = new Map(tokens.map((token, id) => [token, id]));
  }

  /**
   * Builds a vocabulary of the most frequent tokens: ids 2 and up in order of falling count, ties
   * broken by code-point order so the same data always gives the same ids.
   *
   * @throws NunchiError BAD_REQUEST when maxSize is not an integer of at least 2.
   */
  static build(
    tokenLists: Iterable<readonly string[]>,
    options: VocabularyBuildOptions,
  ): Vocabulary {
    const { maxSize, minCount = 1 } = options;
    if (!Number.isInteger(maxSize) || maxSize < 2) {
      throw new NunchiError(
        'BAD_REQUEST',
        `Vocabulary maxSize must be an integer of at least 2 (padding and unknown), got ${maxSize}`,
        { maxSize },
      );
    }
    const counts = new Map<string, number>();
    for (const tokens of tokenLists) {
      for (const token of tokens) counts.set(token, (counts.get(token) ?? 0) + 1);
    }
    counts.delete(PAD_TOKEN);
    counts.delete(UNK_TOKEN);
    const ranked = [...counts]
      .filter(([, count]) => count >= minCount)
      .sort(byCountThenToken)
      .slice(0, maxSize - 2)
      .map(([token]) => token);
    return new Vocabulary([PAD_TOKEN, UNK_TOKEN, ...ranked]);
  }

  /**
   * Reads a vocabulary saved by `toJSON`.
   *
   * @throws NunchiError MODEL_INVALID when the format, version, reserved tokens or token list are
   *   wrong, naming what was found.
   */
  static fromJSON(json: unknown): Vocabulary {
    if (typeof json !== 'object' || json === null)
      throw invalid(`expected an object, got ${typeof json}`);
    const value = json as Partial<VocabularyJson>;
    if (value.format !== VOCABULARY_FORMAT) {
      throw invalid(`format is ${JSON.stringify(value.format)}, expected "${VOCABULARY_FORMAT}"`);
    }
    if (value.version !== VOCABULARY_FORMAT_VERSION) {
      throw invalid(
        `version ${JSON.stringify(value.version)} is not supported; ` +
          `expected ${VOCABULARY_FORMAT_VERSION}`,
      );
    }
    const tokens = value.tokens;
    if (!Array.isArray(tokens) || tokens.some((token) => typeof token !== 'string')) {
      throw invalid('tokens must be an array of strings');
    }
    if (tokens[Vocabulary.PAD] !== PAD_TOKEN || tokens[Vocabulary.UNK] !== UNK_TOKEN) {
      throw invalid(`ids 0 and 1 must be ${PAD_TOKEN} and ${UNK_TOKEN}`, {
        found: tokens.slice(0, 2),
      });
    }
    if (new Set(tokens).size !== tokens.length) throw invalid('tokens contain duplicates');
    return new Vocabulary(tokens as string[]);
  }

  /** Number of ids, the two reserved ones included. */
  get size(): number {
    return this.tokens.length;
  }

  /**
   * Returns the id of `token`, or UNK for a token not in the vocabulary. A text token that reads
   * "<pad>" also gets UNK, so only padding ever has id PAD.
   */
  idOf(token: string): number {
    if (token === PAD_TOKEN) return Vocabulary.UNK;
    return this.ids.get(token) ?? Vocabulary.UNK;
  }

  /** Returns the token of `id`, or UNK_TOKEN for an id outside the vocabulary. */
  tokenAt(id: number): string {
    return this.tokens[id] ?? UNK_TOKEN;
  }

  /**
   * Returns `maxLength` ids: the first `maxLength` tokens mapped by `idOf`, then PAD to fill. Every
   * id is an integer from 0 to size - 1.
   */
  encode(tokens: readonly string[], maxLength: number): Int32Array {
    const ids = new Int32Array(Math.max(0, Math.floor(maxLength)));
    const count = Math.min(tokens.length, ids.length);
    for (let index = 0; index < count; index += 1) ids[index] = this.idOf(tokens[index]);
    return ids;
  }

  toJSON(): VocabularyJson {
    return {
      format: VOCABULARY_FORMAT,
      version: VOCABULARY_FORMAT_VERSION,
      tokens: [...this.tokens],
    };
  }
}
