/**
 * @module The one place where errors become HTTP responses: `{ error: { code, message } }` with
 * the status that fits the stable code. Unknown errors are logged and returned as 500 INTERNAL
 * without their message, which could expose internals.
 */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Logger } from 'pino';
import { isNunchiError, type ErrorCode } from '../core/errors.ts';

export const STATUS_BY_CODE: Record<ErrorCode, ContentfulStatusCode> = {
  CONFIG_INVALID: 500,
  TEXT_EMPTY: 400,
  TEXT_INVALID: 400,
  TEXT_TOO_LONG: 413,
  ANALYZER_FAILED: 500,
  ANALYZER_UNAVAILABLE: 503,
  MODEL_NOT_FOUND: 503,
  MODEL_INVALID: 500,
  MODEL_MISMATCH: 500,
  DATASET_INVALID: 400,
  IMAGE_INVALID: 400,
  IMAGE_TOO_LARGE: 413,
  IMAGE_UNSUPPORTED: 415,
  NO_DIGIT_FOUND: 422,
  BACKEND_UNAVAILABLE: 503,
  TRAINING_FAILED: 500,
  JOB_CONFLICT: 409,
  NOT_FOUND: 404,
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  ADMIN_DISABLED: 503,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  STORAGE_FAILED: 500,
  INTERNAL: 500,
};

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  404: 'NOT_FOUND',
  413: 'PAYLOAD_TOO_LARGE',
  429: 'RATE_LIMITED',
};

/** Details that a client may see, per code; everything else stays in the logs. */
const PUBLIC_DETAILS: Partial<Record<ErrorCode, string[]>> = {
  JOB_CONFLICT: ['jobId'],
  BAD_REQUEST: ['field'],
  RATE_LIMITED: ['retryAfterSeconds'],
  PAYLOAD_TOO_LARGE: ['limitBytes'],
};

/** Builds the handler for `app.onError`. */
export function createErrorHandler(log: Logger) {
  return (error: Error, c: Context): Response => {
    if (isNunchiError(error)) {
      // The store reports a database locked past its busy timeout with retryAfterSeconds. The
      // lock clears by itself, so it is 503 with Retry-After rather than a fault.
      const retryable = error.code === 'STORAGE_FAILED' && error.details.retryAfterSeconds;
      const status = retryable ? 503 : (STATUS_BY_CODE[error.code] ?? 500);
      // 503 means a model or the admin API is not available, which is expected, not a fault.
      if (status === 503) log.warn({ code: error.code }, error.message);
      else if (status >= 500)
        log.error({ code: error.code, details: error.details }, error.message);
      const body: Record<string, unknown> = { code: error.code, message: error.message };
      for (const key of PUBLIC_DETAILS[error.code] ?? []) {
        if (error.details[key] !== undefined) body[key] = error.details[key];
      }
      const extra = error.code === 'JOB_CONFLICT' ? { jobId: error.details.jobId } : {};
      if (error.code === 'RATE_LIMITED' || retryable) {
        c.header('Retry-After', String(error.details.retryAfterSeconds ?? 60));
      }
      if (error.code === 'UNAUTHORIZED')
        c.header('WWW-Authenticate', 'Bearer realm="nunchi admin"');
      return c.json({ error: body, ...extra }, status);
    }
    if (error instanceof HTTPException) {
      const code =
        CODE_BY_STATUS[error.status] ?? (error.status >= 500 ? 'INTERNAL' : 'BAD_REQUEST');
      const status = error.status as ContentfulStatusCode;
      return c.json({ error: { code, message: error.message || 'Request failed' } }, status);
    }
    log.error({ err: error, path: c.req.path }, 'unhandled error');
    return c.json({ error: { code: 'INTERNAL', message: 'Internal server error' } }, 500);
  };
}
