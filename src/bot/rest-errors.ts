/**
 * @module Classification and logging of Discord REST errors. Interaction and webhook tokens
 * appear in request paths, so every logged path passes through `redactPath` first.
 */
import { DiscordAPIError, HTTPError, RateLimitError } from 'discord.js';
import type { Logger } from 'pino';
import { maskSecrets } from '../core/logger.ts';

/** Discord JSON error codes the bot handles on purpose. */
export const DISCORD_ERROR = {
  unknownWebhook: 10015,
  unknownMessage: 10008,
  unknownInteraction: 10062,
  alreadyAcknowledged: 40060,
  missingAccess: 50001,
  missingPermissions: 50013,
  invalidWebhookToken: 50027,
  cannotReplyWithoutHistory: 160002,
} as const;

/** Replaces interaction and webhook tokens in a REST path or URL with `:token`. */
export function redactPath(path: string): string {
  return maskSecrets(path.replace(/(\/(?:interactions|webhooks)\/[^/]+\/)[^/?]+/g, '$1:token'));
}

/** Returns the Discord JSON error code of `error`, or undefined for other errors. */
export function discordErrorCode(error: unknown): number | undefined {
  if (error instanceof DiscordAPIError && typeof error.code === 'number') return error.code;
  return undefined;
}

/**
 * True when the interaction token can no longer deliver a response: it expired (10062),
 * its webhook token is invalid (50027), or the original response is gone (10015, 10008).
 */
export function isInteractionGone(error: unknown): boolean {
  const code = discordErrorCode(error);
  return (
    code === DISCORD_ERROR.unknownInteraction ||
    code === DISCORD_ERROR.invalidWebhookToken ||
    code === DISCORD_ERROR.unknownWebhook ||
    code === DISCORD_ERROR.unknownMessage
  );
}

/** Fields of a REST error that are safe to log: status, code, method and redacted path. */
export function restErrorFields(error: unknown): Record<string, unknown> {
  if (error instanceof DiscordAPIError) {
    return {
      status: error.status,
      code: error.code,
      method: error.method,
      path: redactPath(new URL(error.url).pathname),
      message: maskSecrets(error.message),
    };
  }
  if (error instanceof RateLimitError) {
    return {
      status: 429,
      method: error.method,
      route: redactPath(error.route),
      retryAfterMs: error.retryAfter,
      global: error.global,
    };
  }
  if (error instanceof HTTPError) {
    return {
      status: error.status,
      method: error.method,
      path: redactPath(new URL(error.url).pathname),
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { message: redactPath(message) };
}

/** Logs a REST failure once, at warn for expected Discord states and at error otherwise. */
export function logRestError(log: Logger, error: unknown, action: string): void {
  const fields = { action, ...restErrorFields(error) };
  const code = discordErrorCode(error);
  if (code === DISCORD_ERROR.unknownInteraction) {
    log.warn(fields, 'interaction expired before it was acknowledged (10062 unknown interaction)');
  } else if (code === DISCORD_ERROR.invalidWebhookToken) {
    log.warn(fields, 'interaction token is no longer valid (50027 invalid webhook token)');
  } else if (code === DISCORD_ERROR.missingAccess || code === DISCORD_ERROR.missingPermissions) {
    log.warn(fields, 'the bot lacks access or permission for this channel');
  } else if (error instanceof RateLimitError) {
    log.warn(fields, 'Discord REST rate limit hit (429)');
  } else {
    log.error(fields, 'Discord REST request failed');
  }
}

/** Shortest time between two log lines about the same rate-limited route (10 seconds). */
export const RATE_LIMIT_LOG_INTERVAL_MS = 10_000;

/**
 * Returns a warn logger that writes at most one line per key and interval. Each line counts the
 * lines suppressed since the previous one, so a burst of queued requests logs once.
 */
export function createThrottledWarn(log: Logger, intervalMs = RATE_LIMIT_LOG_INTERVAL_MS) {
  const last = new Map<string, { at: number; suppressed: number }>();
  return (key: string, fields: Record<string, unknown>, message: string): void => {
    const now = Date.now();
    const entry = last.get(key);
    if (entry && now - entry.at < intervalMs) {
      entry.suppressed += 1;
      return;
    }
    log.warn({ ...fields, suppressedSinceLastLine: entry?.suppressed ?? 0 }, message);
    last.set(key, { at: now, suppressed: 0 });
  };
}
