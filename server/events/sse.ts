import type { ServerResponse } from "node:http";
import { createFanOut } from "./fanout.ts";
import type { Hub } from "./hub.ts";

interface Frame {
  id: number;
  name: string;
  data: string;
  /** null = everyone; else only this user's streams. */
  userId: number | null;
}

interface Client {
  userId: number;
  res: ServerResponse;
  /** False once detached: a fan-out still queued for it skips it. */
  open: boolean;
}

export interface SseOptions {
  /** Fire counts are coalesced: at most one `fire_count_update` per signal per window (its shortest). */
  coalesceMs?: number;
  /**
   * Stream writes a second that fire counts may cost: the count window grows with the audience
   * (streams / this, in seconds, when longer than `coalesceMs`). Default 5,000: 1,000 streams get a
   * count each 250 ms, 10,000 streams one each 2 s.
   */
  countWritesPerSecond?: number;
  /** Stream writes per turn of the event loop when a frame goes to many streams (tens of µs each). Default 100. */
  sliceSize?: number;
  heartbeatMs?: number;
  replaySize?: number;
  /** A client this far behind (bytes buffered) is dropped rather than letting memory grow. */
  maxBufferedBytes?: number;
  /** Open streams per user; one more closes that user's oldest (a Mini App reopened on 6 devices). Default 5. */
  maxStreamsPerUser?: number;
  /** Open streams in all; one more closes the oldest of all. Default 20,000. */
  maxStreams?: number;
}

/**
 * Server-Sent Events for the Mini App: public events to everyone, private ones (fires, stats,
 * bridge) only to their owner. Ids are a process-wide sequence; `Last-Event-ID` replays what a
 * client missed from a bounded ring buffer.
 */
export function createSseBroker(hub: Hub, options: SseOptions = {}) {
  const coalesceMs = options.coalesceMs ?? 250;
  const countWritesPerSecond = options.countWritesPerSecond ?? 5_000;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const replaySize = options.replaySize ?? 2_000;
  const maxBuffered = options.maxBufferedBytes ?? 1 << 20;
  const maxPerUser = options.maxStreamsPerUser ?? 5;
  const maxStreams = options.maxStreams ?? 20_000;
  /** Every open stream, oldest first. */
  const clients = new Set<Client>();
  /** The same streams by user, oldest first: a private frame goes to its owner's list only. */
  const byUser = new Map<number, Client[]>();
  const ring: Frame[] = [];
  const pendingCounts = new Map<string, number>();
  /** The last count published per signal (bounded): counts never go back. */
  const shownCounts = new Map<string, number>();
  let seq = 0;
  let sent = 0;
  /** When the last count fan-out started (the next waits for the window and for it to finish). */
  let lastCountAt = 0;

  const encode = (f: Frame) => `id: ${f.id}\nevent: ${f.name}\ndata: ${f.data}\n\n`;

  function detach(client: Client) {
    if (!clients.delete(client)) return;
    client.open = false;
    const own = byUser.get(client.userId) ?? [];
    own.splice(own.indexOf(client), 1);
    if (own.length === 0) byUser.delete(client.userId);
  }

  /** Ends a stream the server gives up (the client reconnects with Last-Event-ID if it still wants it). */
  function close(client: Client) {
    detach(client);
    client.res.end();
  }

  function write(client: Client, chunk: string) {
    if (!client.open) return;
    if (client.res.writableLength > maxBuffered) {
      client.res.destroy();
      detach(client);
      return;
    }
    client.res.write(chunk);
    sent++;
  }

  const fanOut = createFanOut(write, options.sliceSize ?? 100);

  /** Numbers a frame and keeps it for replay; returns its text. */
  function record(name: string, data: unknown, userId: number | null): string {
    const frame: Frame = { id: ++seq, name, data: JSON.stringify(data), userId };
    ring.push(frame);
    if (ring.length > replaySize) ring.shift();
    return encode(frame);
  }

  /** The streams a frame goes to, as a copy (a write may drop a client that fell too far behind). */
  const targetsOf = (userId: number | null) => (userId === null ? [...clients] : [...(byUser.get(userId) ?? [])]);

  function publish(name: string, data: unknown, userId: number | null) {
    fanOut.send(targetsOf(userId), record(name, data, userId));
  }

  /**
   * Every signal's count that changed, in one chunk written once per stream (one frame per signal,
   * each with its id). Not before the window, which grows with the audience, and not while the
   * previous fan-out is still being written: a server that falls behind sends fewer, fresher counts.
   */
  function flushCounts(now: number) {
    const windowMs = Math.max(coalesceMs, (clients.size * 1000) / countWritesPerSecond);
    if (pendingCounts.size === 0 || now - lastCountAt < windowMs || fanOut.backlog() > 0) return;
    lastCountAt = now;
    let chunk = "";
    for (const [signal_id, count] of pendingCounts) {
      if (shownCounts.size >= 10_000 && !shownCounts.has(signal_id))
        shownCounts.delete(shownCounts.keys().next().value as string);
      shownCounts.set(signal_id, count);
      chunk += record("fire_count_update", { signal_id, count }, null);
    }
    pendingCounts.clear();
    fanOut.send(targetsOf(null), chunk);
  }

  const flushTimer = setInterval(() => flushCounts(Date.now()), coalesceMs);
  // Not while a fan-out is being written (its streams are not idle): the queue holds at most one
  // pass over every stream for counts and none for pings, whatever the load.
  const pingTimer = setInterval(
    () => fanOut.backlog() === 0 && fanOut.send(targetsOf(null), ": ping\n\n"),
    heartbeatMs,
  );
  flushTimer.unref();
  pingTimer.unref();

  const unsubscribe = [
    hub.on("fire.count", ({ signal_id, count }) => {
      // A count only grows; one computed before another commit may arrive after it (PostgreSQL:
      // concurrent transactions, other instances), so a lower count than already shown is dropped.
      const next = Math.max(count, pendingCounts.get(signal_id) ?? 0);
      if (next > (shownCounts.get(signal_id) ?? -1)) pendingCounts.set(signal_id, next);
    }),
    hub.on("fire.created", ({ fire }) => publish("fire_update", { fire }, fire.user_id)),
    hub.on("fire.updated", ({ fire }) => publish("fire_update", { fire }, fire.user_id)),
    hub.on("stats.updated", ({ user_id, stats }) => publish("user_stats_update", { stats }, user_id)),
    hub.on("signal.cancelled", ({ signal }) =>
      publish("mission_status_update", { signal_id: signal.id, status: "cancelled" }, null),
    ),
    hub.on("signal.expired", ({ signal }) =>
      publish("mission_status_update", { signal_id: signal.id, status: "expired" }, null),
    ),
    hub.on("signal.created", ({ signal }) => publish("signal_created", { signal }, null)),
    hub.on("bridge.status", ({ user_id, online, last_seen }) =>
      publish("bridge_status", { online, last_seen }, user_id),
    ),
  ];

  return {
    /** Publishes a frame to everyone (`userId` null) or to one user's streams. */
    publish,
    /** True when `userId` has a stream open (so a private frame is worth building). */
    hasClient(userId: number): boolean {
      return byUser.has(userId);
    },
    /** Attaches an open response as a stream for `userId`, replaying after `lastEventId`. */
    attach(userId: number, res: ServerResponse, lastEventId: number | null): () => void {
      // Bounded per user, so one account cannot hold connections without limit; the oldest goes
      // (a forgotten tab), since the newest is the one being looked at. Bounded in all the same way.
      const own = byUser.get(userId) ?? [];
      while (own.length >= maxPerUser) close(own[0]!);
      while (clients.size >= maxStreams) close(clients.values().next().value!);
      const client: Client = { userId, res, open: true };
      res.write(`retry: 2000\n: connected\n\n`);
      if (lastEventId !== null) {
        for (const frame of ring) {
          if (frame.id > lastEventId && (frame.userId === null || frame.userId === userId)) res.write(encode(frame));
        }
      }
      clients.add(client);
      own.push(client);
      byUser.set(userId, own);
      return () => detach(client);
    },
    /** Ends every stream (graceful shutdown) and stops timers. */
    close(): void {
      clearInterval(flushTimer);
      clearInterval(pingTimer);
      fanOut.clear();
      for (const off of unsubscribe) off();
      for (const client of clients) client.res.end();
      clients.clear();
      byUser.clear();
    },
    stats: () => ({
      clients: clients.size,
      users: byUser.size,
      lastEventId: seq,
      framesSent: sent,
      queuedWrites: fanOut.backlog(),
    }),
    /** The stream maps, for the memory report. */
    maps: { clients, byUser, maxStreams },
  };
}

export type SseBroker = ReturnType<typeof createSseBroker>;

/** The headers of a Server-Sent Events answer (no caching or buffering by proxies). */
export const SSE_HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache, no-transform",
  connection: "keep-alive",
  "x-accel-buffering": "no",
} as const;
