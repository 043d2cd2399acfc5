/**
 * @module Per-client rate limit: a token bucket per client address and route group that contains
 * up to `perMinute` requests and refills continuously. An empty bucket returns 429 with
 * Retry-After.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { NunchiError } from '../core/errors.ts';

interface Bucket {
  tokens: number;
  updated: number;
}

/** Buckets kept before idle ones are dropped, so a flood of addresses cannot grow memory. */
const MAX_BUCKETS = 10_000;

/** Remote address of the socket behind `c`, or "local" for in-process requests. */
export function clientAddress(c: Context): string {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress ?? 'local';
}

export interface RateLimiter {
  middleware(group: string): MiddlewareHandler;
}

export function createRateLimiter(
  perMinute: number,
  keyOf: (c: Context) => string = clientAddress,
  now: () => number = Date.now,
): RateLimiter {
  const buckets = new Map<string, Bucket>();
  const refillPerMs = perMinute / 60_000;

  const take = (key: string): number => {
    const time = now();
    let bucket = buckets.get(key);
    if (!bucket) {
      if (buckets.size >= MAX_BUCKETS) {
        for (const [oldKey, old] of buckets) {
          if (old.tokens + (time - old.updated) * refillPerMs >= perMinute) buckets.delete(oldKey);
        }
      }
      bucket = { tokens: perMinute, updated: time };
      buckets.set(key, bucket);
    }
    bucket.tokens = Math.min(perMinute, bucket.tokens + (time - bucket.updated) * refillPerMs);
    bucket.updated = time;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / refillPerMs / 1000));
  };

  return {
    middleware(group) {
      return async (c, next) => {
        const retryAfter = take(`${group}:${keyOf(c)}`);
        if (retryAfter > 0) {
          throw new NunchiError(
            'RATE_LIMITED',
            `Too many requests; at most ${perMinute} per minute. Retry after ${retryAfter} s`,
            { retryAfterSeconds: retryAfter },
          );
        }
        await next();
      };
    },
  };
}
