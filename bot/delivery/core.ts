import type { OutboxLimits } from "../../server/config/index.ts";
import type { AppContext } from "../../server/context.ts";
import type { BotLog } from "../context.ts";
import { SendWindow } from "./pacer.ts";
import { PRIORITY_NAMES, type Priority } from "./priorities.ts";
import { createSendStats } from "./stats.ts";
import type { TelegramFailure, Transport } from "./telegram.ts";

export type Payload = Record<string, unknown>;

export interface OutgoingMessage {
  chatId: number;
  method: string;
  /** The method's parameters (chat_id is set from `chatId`). */
  payload: Payload;
  priority: Priority;
  /** `<kind>:<data>`: the handlers registered for `kind` run when Telegram answers (durable). */
  ref?: string | null;
}

export interface Item {
  id: number;
  chatId: number;
  method: string;
  payload: Payload;
  priority: number;
  ref: string | null;
  /** Edits of one message: a newer one queued replaces an older one still waiting. */
  mergeKey: string | null;
  createdMs: number;
  attempts: number;
  /** A merged message Telegram refused: its parts go one by one. */
  noMerge: boolean;
  /**
   * Not enqueued by this sender (another instance stored it, or a previous run did): its waiter
   * may be elsewhere, so Telegram's answer is kept in the row and announced ("outbox.done").
   */
  remote: boolean;
}

/** One chat's queue: first in, first out, one send in flight at a time. */
export interface Lane {
  chatId: number;
  items: Item[];
  /** How many of the first items are in flight (a merged message: several). */
  sending: number;
  pausedUntilMs: number;
  window: SendWindow;
  /** Where the lane is filed: a priority's ready set, the waiting set, or nowhere (in flight, empty). */
  filed: number | "waiting" | null;
}

export type SentHandler = (ref: string, result: unknown, chatId: number) => void | Promise<void>;
export type FailedHandler = (ref: string, err: TelegramFailure, chatId: number) => void | Promise<void>;

/** A send that failed without an answer (network) or with a 5xx is tried this many times. */
export const MAX_ATTEMPTS = 6;
/** Sends in flight at most, whatever the limits (sockets). */
export const MAX_IN_FLIGHT = 64;
/**
 * Of a group's per-minute budget, this share is kept for new messages: edits (fire counts ticking
 * on a busy alert) may not take it, so a new signal's alert is never held a minute behind them.
 */
export const GROUP_EDIT_RESERVE = 0.25;
/** Finished rows are kept this long (diagnostics), then deleted. */
export const KEEP_MS = 7 * 24 * 3600 * 1000;
/** Telegram's flood control beyond this would block a lane for too long: capped. */
export const MAX_PAUSE_MS = 15 * 60 * 1000;
const NO_LIMITS: OutboxLimits = {
  perSecond: 1_000_000,
  privatePerSecond: 1_000_000,
  groupPerMinute: 1_000_000,
  paidBroadcast: false,
  paidPerSecond: 1,
};

export interface DeliveryDeps {
  app: AppContext;
  transport: Transport;
  log: BotLog;
  /** Telegram's limits (default: config.outbox); `null` = no pacing (local mode: nothing to protect). */
  limits?: OutboxLimits | null;
  now?: () => number;
}

/** The sender's shared state: every part of the outbox reads and changes it. */
export function createCore(deps: DeliveryDeps) {
  const { app, transport, log } = deps;
  const { store, hub } = app;
  const limits = deps.limits === undefined ? app.config.outbox : (deps.limits ?? NO_LIMITS);
  return {
    app,
    transport,
    log,
    store,
    hub,
    limits,
    now: deps.now ?? Date.now,
    global: new SendWindow(limits.paidBroadcast ? limits.paidPerSecond : limits.perSecond, 1000, true),
    lanes: new Map<number, Lane>(),
    ready: PRIORITY_NAMES.map(() => new Set<Lane>()) as Array<Set<Lane>>,
    waiting: new Set<Lane>(),
    /** Every message in a lane, by id (a row loaded twice, at start and by its enqueue, is one). */
    byId: new Map<number, Item>(),
    /** Per chat, the enqueue in progress: rows are stored (and get their ids) in call order. */
    enqueueChains: new Map<number, Promise<unknown>>(),
    enqueuing: 0,
    unsubscribe: [] as Array<() => void>,
    waiters: new Map<number, Array<{ resolve: (v: unknown) => void; reject: (e: unknown) => void }>>(),
    sentHandlers: new Map<string, SentHandler>(),
    failedHandlers: new Map<string, FailedHandler>(),
    migrations: new Map<number, number>(),
    /**
     * Private chats whose user blocked the bot (403), with Telegram's answer: a notification queued
     * for them meanwhile (its check of dm_status raced the block) is dropped without a second 403.
     * Forgotten when a reply to something they typed is queued (they wrote again) or a send succeeds.
     */
    blockedChats: new Map<number, TelegramFailure>(),
    inFlight: new Set<Promise<void>>(),
    idleWaiters: [] as Array<() => void>,
    stats: createSendStats(PRIORITY_NAMES.length),
    onMigrated: (() => undefined) as (oldChatId: number, newChatId: number) => void | Promise<void>,
    onGaveUp: (() => undefined) as (err: TelegramFailure) => void,
    started: false,
    stopped: false,
    wakeTimer: null as ReturnType<typeof setTimeout> | null,
    wakeAtMs: Number.POSITIVE_INFINITY,
    pumpSoon: null as ReturnType<typeof setImmediate> | null,
    purgeTimer: null as ReturnType<typeof setInterval> | null,
    sweptMs: 0,
  };
}

export type Core = ReturnType<typeof createCore>;
