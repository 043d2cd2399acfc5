/**
 * @module Admin authentication: `Authorization: Bearer <ADMIN_TOKEN>`. The presented and the
 * configured token are both hashed with SHA-256 and the digests compared with timingSafeEqual, so
 * neither the comparison time nor an early length check reveals the token. The scheme name is
 * matched case-insensitively, as RFC 7235 defines it, and no other scheme is accepted. Without a
 * configured token every admin route returns 503, so the admin API fails closed.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { NunchiError } from '../core/errors.ts';

const BEARER = /^Bearer (\S+)$/i;

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** Returns true when `header` is exactly a Bearer credential equal to `token`. */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const match = header === undefined ? null : BEARER.exec(header);
  // The comparison runs even without a match, so a malformed header takes as long as a wrong one.
  const presented = digest(match ? match[1] : '');
  return timingSafeEqual(presented, digest(token)) && match !== null;
}

/** Name recorded as the actor of admin actions: a prefix of the token's hash, never the token. */
export function adminActor(token: string): string {
  return `admin:${digest(token).toString('hex').slice(0, 8)}`;
}

/** Middleware that guards the admin routes with `token`; undefined disables them (503). */
export function adminAuth(token: string | undefined): MiddlewareHandler {
  return async (c, next) => {
    if (token === undefined) {
      throw new NunchiError(
        'ADMIN_DISABLED',
        'admin API disabled: set ADMIN_TOKEN (at least 16 characters) and restart to enable it',
      );
    }
    if (!bearerMatches(c.req.header('authorization'), token)) {
      throw new NunchiError(
        'UNAUTHORIZED',
        'Missing or wrong admin token; send "Authorization: Bearer <ADMIN_TOKEN>"',
      );
    }
    c.set('actor', adminActor(token));
    await next();
  };
}
