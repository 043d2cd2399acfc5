/** @module Per-user cooldown between classification requests. */

/** Entries beyond this count trigger a sweep of expired ones, so memory stays bounded. */
const SWEEP_THRESHOLD = 10_000;

export class Cooldown {
  private readonly until = new Map<string, number>();

  /** @param seconds Minimum time between two requests of one user; 0 turns the cooldown off. */
  constructor(private readonly seconds: number) {}

  /**
   * Starts a cooldown for `userId` and returns 0, or returns the seconds left (rounded up) when
   * the user is still cooling down, in which case nothing changes.
   */
  take(userId: string, now = Date.now()): number {
    if (this.seconds <= 0) return 0;
    const until = this.until.get(userId) ?? 0;
    if (until > now) return Math.ceil((until - now) / 1000);
    if (this.until.size >= SWEEP_THRESHOLD) this.sweep(now);
    this.until.set(userId, now + this.seconds * 1000);
    return 0;
  }

  private sweep(now: number): void {
    for (const [userId, until] of this.until) if (until <= now) this.until.delete(userId);
  }
}
