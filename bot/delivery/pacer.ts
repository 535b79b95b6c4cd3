/**
 * At most `limit` sends per `windowMs`, counted the safe way round: a send occupies the window
 * from the moment it starts until `windowMs` after Telegram's answer arrived. Telegram counts a
 * message when it arrives, which is after we start it and before we hear back, so any `windowMs`
 * span of arrivals holds at most `limit` of our sends, however the network or a busy event loop
 * delays them (the window is only lengthened by one round trip: ~1 % at 10 ms per second).
 *
 * `smooth` also spreads the starts evenly (a token bucket refilled at `limit / windowMs`, holding a
 * tenth of a window) instead of letting a full window go at once: a burst of hundreds of calls
 * makes each answer slow, which a window counted until the answer pays for in throughput; evenly
 * spread calls are answered at once. The small bucket absorbs timers firing a little late.
 */
export class SendWindow {
  private inFlight = 0;
  /** When each recent answer arrived (ms, ascending). */
  private readonly answered: number[] = [];
  private readonly spacingMs: number;
  private readonly capacity: number;
  private tokens: number;
  private refilledMs = Number.NEGATIVE_INFINITY;

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    smooth = false,
  ) {
    this.spacingMs = smooth ? windowMs / limit : 0;
    this.capacity = Math.max(1, Math.floor(limit / 10));
    this.tokens = this.capacity;
  }

  private refill(nowMs: number): void {
    if (this.spacingMs === 0) return;
    if (this.refilledMs !== Number.NEGATIVE_INFINITY) {
      this.tokens = Math.min(this.capacity, this.tokens + (nowMs - this.refilledMs) / this.spacingMs);
    }
    this.refilledMs = nowMs;
  }

  private prune(nowMs: number): void {
    let drop = 0;
    while (drop < this.answered.length && this.answered[drop]! <= nowMs - this.windowMs) drop++;
    if (drop > 0) this.answered.splice(0, drop);
  }

  /** Whether a send may start now, leaving `reserve` places of the window free for others. */
  canStart(nowMs: number, reserve = 0): boolean {
    this.prune(nowMs);
    this.refill(nowMs);
    const room = Math.max(1, this.limit - reserve);
    return this.inFlight + this.answered.length < room && (this.spacingMs === 0 || this.tokens >= 1);
  }

  /** When a send may start (now, a later time, or Infinity until an answer arrives). */
  freeAt(nowMs: number, reserve = 0): number {
    if (this.canStart(nowMs, reserve)) return nowMs;
    const spaced = this.spacingMs === 0 || this.tokens >= 1 ? nowMs : nowMs + (1 - this.tokens) * this.spacingMs;
    const room = Math.max(1, this.limit - reserve);
    const over = this.inFlight + this.answered.length - room;
    if (over < 0) return spaced;
    // The answer whose leaving the window makes room (in-flight sends leave after all of these).
    const leaving = this.answered[over];
    return leaving === undefined ? Number.POSITIVE_INFINITY : Math.max(spaced, leaving + this.windowMs);
  }

  start(nowMs: number): void {
    this.refill(nowMs);
    this.inFlight++;
    if (this.spacingMs > 0) this.tokens -= 1;
  }

  /** The answer (any answer, even an error: it reached Telegram or may have) arrived. */
  finish(nowMs: number): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    this.answered.push(nowMs);
  }

  /** Nothing in flight or in the window: the window can be forgotten. */
  isClear(nowMs: number): boolean {
    this.prune(nowMs);
    return this.inFlight === 0 && this.answered.length === 0;
  }
}
