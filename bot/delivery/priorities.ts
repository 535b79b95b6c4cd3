/**
 * What goes first when the outbox has more to send than Telegram allows (issue #20). Lower goes
 * first. A person waiting for the answer to a command they just typed comes right after the
 * group alerts: the list does not name those replies, and making someone who typed
 * /start wait behind thousands of fill DMs would read as a dead bot.
 */
export const PRIORITY = {
  /** Group alerts, their edits and the update replies under them. */
  alert: 0,
  /** Answers to a command or button someone just used. */
  reply: 1,
  /** Fill, rejection and close DMs. */
  result: 2,
  /** DMs about updates after entry (settled, EA too old). */
  update: 3,
  /** Terminal went offline / back online. */
  readiness: 4,
  /** Reports, summaries and notices to admins. */
  report: 5,
} as const;

export type Priority = (typeof PRIORITY)[keyof typeof PRIORITY];

/** Priority names, by value (for /health, /metrics and /stats). */
export const PRIORITY_NAMES = Object.keys(PRIORITY) as Array<keyof typeof PRIORITY>;
