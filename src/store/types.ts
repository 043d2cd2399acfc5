/** @module Shapes of the rows kept in the runtime store, as the HTTP API returns them. */
import type {
  ModelMetrics,
  ModelName,
  SentimentLabel,
  SentimentModelName,
  TrainingProgress,
} from '../core/contracts.ts';

export type JobState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'interrupted';

/** States after which a job never changes again. */
export const FINAL_JOB_STATES: readonly JobState[] = [
  'succeeded',
  'failed',
  'cancelled',
  'interrupted',
];

/** Options an admin sent when starting a retraining job. */
export interface JobRequest {
  epochs?: number;
  /** Id of an uploaded data set whose rows are added to the training split. */
  dataset?: string;
  /** Adds the stored user corrections of this model to the training split. */
  includeFeedback?: boolean;
  /** Train on at most this many examples. */
  limit?: number;
}

export interface JobResult {
  version: string;
  metrics: ModelMetrics;
  promoted: boolean;
  /** Reason the version was or was not promoted, in one sentence. */
  reason: string;
}

export interface Job {
  id: string;
  model: ModelName;
  state: JobState;
  actor: string;
  request: JobRequest;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  progress?: TrainingProgress;
  result?: JobResult;
  error?: string;
}

/** A promotion that was started but not confirmed; the store keeps it so a restart can undo it. */
export interface PendingPromotion {
  model: ModelName;
  /** Version that served before the promotion; undefined when none did. */
  from?: string;
  to: string;
}

export interface JobUpdate {
  state?: JobState;
  startedAt?: string;
  finishedAt?: string;
  progress?: TrainingProgress;
  result?: JobResult;
  error?: string;
  /** null clears the pending promotion. */
  pendingPromotion?: PendingPromotion | null;
}

export type DatasetFormat = 'csv' | 'tsv' | 'jsonl' | 'nsmc';

export interface DatasetRecord {
  id: string;
  sha256: string;
  format: DatasetFormat;
  /** Absolute path of the stored file. */
  path: string;
  bytes: number;
  totalRows: number;
  acceptedRows: number;
  /** 1-based line numbers that were not accepted. */
  skippedLines: number[];
  actor: string;
  createdAt: string;
}

export interface FeedbackEntry {
  text: string;
  predictedLabel: SentimentLabel;
  correctLabel: SentimentLabel;
  modelName: SentimentModelName;
  modelVersion: string;
  source: 'discord' | 'web' | 'api';
  userId?: string;
  guildId?: string;
}

export interface AuditEntry {
  actor: string;
  action: string;
  target?: string;
  outcome: string;
  details?: unknown;
}

export interface AuditRecord extends AuditEntry {
  id: number;
  at: string;
}
