import { monotonicFactory } from "ulid";

// ULIDs: 26 Crockford base-32 characters, sortable by time, URL-safe, and short enough for a
// Telegram `startapp` parameter (≤ 64 of [A-Za-z0-9_-]) and an MT5 order comment (≤ 31) with a prefix.
const ulid = monotonicFactory();

export const newSignalId = (nowMs: number) => `s_${ulid(nowMs)}`;
export const newFireId = (nowMs: number) => `f_${ulid(nowMs)}`;
export const newCommandId = (nowMs: number) => `c_${ulid(nowMs)}`;

/** Ids we accept in paths: the shape we issue, nothing else reaches the database. */
export const ID_PATTERN = "^[A-Za-z0-9_-]{1,64}$";
