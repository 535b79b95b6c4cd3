/**
 * At most `limit` sends per `windowMs`, counted the safe way round: a send occupies the window
 * from the moment it starts until `windowMs` after Telegram's answer arrived. Telegram counts a
 * message when it arrives, which is after we start it and before we hear back, so any `windowMs`
 * span of arrivals holds at most `limit` of our sends, however the network or a busy event loop
 * delays them (the window is only lengthened by one round trip: ~1 % at 10 ms per second).
 */
export class SendWindow {
  private inFlight = 0;
  /** When each recent answer arrived (ms, ascending). */
  private readonly answered: number[] = [];

  constructor(
    readonly limit: number,
    readonly windowMs: number,
  ) {}

  private prune(nowMs: number): void {
    let drop = 0;
    while (drop < this.answered.length && this.answered[drop]! <= nowMs - this.windowMs) drop++;
    if (drop > 0) this.answered.splice(0, drop);
  }

  canStart(nowMs: number): boolean {
    this.prune(nowMs);
    return this.inFlight + this.answered.length < this.limit;
  }

  /** When a send may start (now, a later time, or Infinity until an answer arrives). */
  freeAt(nowMs: number): number {
    if (this.canStart(nowMs)) return nowMs;
    const oldest = this.answered[0];
    return oldest === undefined ? Number.POSITIVE_INFINITY : oldest + this.windowMs;
  }

  start(): void {
    this.inFlight++;
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
