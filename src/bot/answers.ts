/**
 * @module Recent sentiment answers, kept in memory so that a 👍/👎 button press can store the
 * original text with its label. Button custom ids hold only the answer id (Discord caps custom ids
 * at 100 characters), so an answer evicted here, or lost with a restart, can no longer be rated.
 */
import { randomBytes } from 'node:crypto';
import type { SentimentResult } from '../core/contracts.ts';

/** Maximum number of answers kept; the oldest is evicted first. */
export const MAX_ANSWERS = 10_000;
/** Age after which an answer can no longer be rated, in milliseconds (24 hours). */
export const ANSWER_TTL_MS = 24 * 60 * 60 * 1000;

export interface StoredAnswer {
  text: string;
  /** Only what a rating stores; tokens and top words would multiply the cache's memory. */
  result: Pick<SentimentResult, 'label' | 'model' | 'modelVersion'>;
  userId: string;
  guildId: string | undefined;
  createdAt: number;
  /** Set once the asker stored a label, so that one answer yields one label. */
  rated: boolean;
}

export class AnswerCache {
  private readonly answers = new Map<string, StoredAnswer>();

  constructor(
    private readonly maxAnswers = MAX_ANSWERS,
    private readonly ttlMs = ANSWER_TTL_MS,
  ) {}

  /** Stores an answer and returns its id (12 hex characters). */
  add(answer: Omit<StoredAnswer, 'createdAt' | 'rated'>, now = Date.now()): string {
    const id = randomBytes(6).toString('hex');
    const { label, model, modelVersion } = answer.result;
    this.answers.set(id, {
      ...answer,
      result: { label, model, modelVersion },
      createdAt: now,
      rated: false,
    });
    while (this.answers.size > this.maxAnswers) {
      const oldest = this.answers.keys().next().value;
      if (oldest === undefined) break;
      this.answers.delete(oldest);
    }
    return id;
  }

  /** Returns the answer, or undefined when it is unknown or older than the TTL. */
  get(id: string, now = Date.now()): StoredAnswer | undefined {
    const answer = this.answers.get(id);
    if (!answer) return undefined;
    if (now - answer.createdAt > this.ttlMs) {
      this.answers.delete(id);
      return undefined;
    }
    return answer;
  }

  get size(): number {
    return this.answers.size;
  }
}
