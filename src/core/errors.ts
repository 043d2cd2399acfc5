/**
 * @module Typed errors with stable codes. Callers branch on `code`; users see a localised message
 * built from the code, logs see the code and the details.
 */

/** Stable error codes shared by the CLI, the HTTP API and the bot. */
export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'TEXT_EMPTY'
  | 'TEXT_INVALID'
  | 'TEXT_TOO_LONG'
  | 'ANALYZER_FAILED'
  | 'ANALYZER_UNAVAILABLE'
  | 'MODEL_NOT_FOUND'
  | 'MODEL_INVALID'
  | 'MODEL_MISMATCH'
  | 'DATASET_INVALID'
  | 'IMAGE_INVALID'
  | 'IMAGE_TOO_LARGE'
  | 'IMAGE_UNSUPPORTED'
  | 'NO_DIGIT_FOUND'
  | 'BACKEND_UNAVAILABLE'
  | 'TRAINING_FAILED'
  | 'JOB_CONFLICT'
  | 'NOT_FOUND'
  | 'BAD_REQUEST'
  | 'UNAUTHORIZED'
  | 'ADMIN_DISABLED'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'RATE_LIMITED'
  | 'STORAGE_FAILED'
  | 'INTERNAL';

/** An error with a stable code and structured details that are safe to log and to return. */
export class NunchiError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;

  constructor(
    code: ErrorCode,
    message: string,
    details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'NunchiError';
    this.code = code;
    this.details = details;
  }
}

/** Returns true when `error` is a NunchiError, optionally with the given code. */
export function isNunchiError(error: unknown, code?: ErrorCode): error is NunchiError {
  return error instanceof NunchiError && (code === undefined || error.code === code);
}
