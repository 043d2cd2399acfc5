// Requests to the nunchi API on this origin. Failures become ApiError with the server's error code,
// and describeError turns one into a message in the interface language.
import { hasMessage, t } from './i18n.js';

/** A failed request: `status` is 0 when the server could not be reached. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

async function errorFromResponse(response) {
  let body;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  const code = body?.error?.code ?? `HTTP_${response.status}`;
  const message = body?.error?.message ?? response.statusText;
  return new ApiError(response.status, code, message);
}

/**
 * Sends a request and returns the response, or throws ApiError for a network failure or a status
 * outside 200-299. A plain object `body` is sent as JSON, and other bodies go as they are with
 * `contentType`.
 */
export async function request(url, { method = 'GET', body, contentType, token, signal } = {}) {
  const headers = {};
  let payload = body;
  if (body !== undefined && contentType === undefined && !(body instanceof window.Blob)) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  } else if (contentType) {
    headers['Content-Type'] = contentType;
  }
  if (token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(url, { method, body: payload, headers, signal, cache: 'no-store' });
  } catch (error) {
    if (error?.name === 'AbortError') throw error;
    throw new ApiError(0, 'NETWORK', String(error?.message ?? error));
  }
  if (!response.ok) throw await errorFromResponse(response);
  return response;
}

/** Sends a request like `request` and returns the parsed JSON body. */
export async function requestJson(url, options) {
  const response = await request(url, options);
  return response.json();
}

/**
 * Returns a message for `error` in the interface language: the localised text of its code,
 * followed by the server's own message, which names the value and what to do.
 */
export function describeError(error) {
  if (!(error instanceof ApiError)) return String(error?.message ?? error);
  if (error.code === 'NETWORK') return t('error.NETWORK');
  const key = `error.${error.code}`;
  const summary = hasMessage(key) ? t(key) : t('error.HTTP', { status: error.status });
  const detail = error.message && error.message !== summary ? ` (${error.message})` : '';
  return `${summary}${detail}`;
}
