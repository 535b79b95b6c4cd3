/** An in-memory `BridgeService` following the contract: pending → delivered, 10 s visibility timeout (configurable). */
import type {
  BridgeCommand,
  BridgeService,
  ClosedReport,
  CommandResult,
  Heartbeat,
  HeartbeatAnswer,
} from "../../../bridge/protocol.ts";

interface Entry {
  userId: number;
  command: BridgeCommand;
  deliveredAtMs: number | null;
  deliveries: number;
  result: CommandResult | null;
  closed: ClosedReport | null;
}

export interface MemoryBridgeService extends BridgeService {
  enqueue(userId: number, command: BridgeCommand): void;
  result(id: string): CommandResult | null;
  closed(id: string): ClosedReport | null;
  deliveries(id: string): number;
  /** Every submitResult call, duplicates included. */
  resultPosts: CommandResult[];
  closedPosts: ClosedReport[];
  heartbeats: Array<{ userId: number; body: Heartbeat }>;
  touches: number;
}

export function createMemoryBridgeService(options: { visibilityMs?: number } = {}): MemoryBridgeService {
  const visibilityMs = options.visibilityMs ?? 10_000;
  const entries = new Map<string, Entry>();
  const isDue = (entry: Entry, nowMs: number) =>
    entry.result === null && (entry.deliveredAtMs === null || nowMs - entry.deliveredAtMs >= visibilityMs);
  const hasDue = (userId: number) =>
    [...entries.values()].some((entry) => entry.userId === userId && isDue(entry, Date.now()));
  const ownEntry = (userId: number, id: string) => {
    const entry = entries.get(id);
    if (!entry || entry.userId !== userId)
      throw Object.assign(new Error(`command ${id} not found`), { code: "NOT_FOUND" });
    return entry;
  };

  const service: MemoryBridgeService = {
    resultPosts: [],
    closedPosts: [],
    heartbeats: [],
    touches: 0,
    enqueue(userId, command) {
      entries.set(command.id, { userId, command, deliveredAtMs: null, deliveries: 0, result: null, closed: null });
    },
    result: (id) => entries.get(id)?.result ?? null,
    closed: (id) => entries.get(id)?.closed ?? null,
    deliveries: (id) => entries.get(id)?.deliveries ?? 0,
    async heartbeat(userId, body): Promise<HeartbeatAnswer> {
      service.heartbeats.push({ userId, body });
      return { server_time: new Date().toISOString() };
    },
    async touch() {
      service.touches++;
    },
    async takeCommands(userId) {
      const nowMs = Date.now();
      const due = [...entries.values()].filter((entry) => entry.userId === userId && isDue(entry, nowMs));
      for (const entry of due) {
        entry.deliveredAtMs = nowMs;
        entry.deliveries++;
      }
      return due.map((entry) => structuredClone(entry.command));
    },
    async waitForCommands(userId, waitMs, signal) {
      const untilMs = Date.now() + waitMs;
      while (Date.now() < untilMs && !signal?.aborted && !hasDue(userId)) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async submitResult(userId, body) {
      const entry = ownEntry(userId, body.id);
      service.resultPosts.push(body);
      entry.result ??= body;
    },
    async submitClosed(userId, body) {
      const entry = ownEntry(userId, body.id);
      service.closedPosts.push(body);
      entry.closed ??= body;
    },
  };
  return service;
}
