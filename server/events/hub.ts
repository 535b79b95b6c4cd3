import { EventEmitter } from "node:events";
import type { HeartbeatPrice } from "../../bridge/protocol.ts";
import type { StagedSignal } from "../../core/schedule.ts";
import type { Signal } from "../../core/types.ts";
import type { SignalResultRow } from "../../db/queries/track-record/index.ts";
import type { FireView } from "../../db/rows.ts";
import type { UserStats } from "../services/stats.ts";
import type { PositionCommandView, UpdateView } from "../services/updates/view.ts";

/** An open command just committed as queued: its id, its fire, and the protocol command (JSON). */
export interface HandedCommand {
  id: string;
  fire_id: string;
  payload: string;
}

/** Everything that happens inside Sortie that another part may react to (SSE, bot, bridge wake-ups). */
export interface HubEvents {
  "signal.created": { signal: Signal; actor: string };
  "signal.cancelled": { signal: Signal; actor: string };
  "signal.expired": { signal: Signal };
  /** A signal was scheduled (not public until `publish_at`): the scheduler re-arms its timer. */
  "signal.scheduled": { signal: StagedSignal; actor: string };
  /** Linked terminal prices from a heartbeat (the signal engine builds candles from an admin's). */
  "bridge.prices": { user_id: number; prices: readonly HeartbeatPrice[] };
  /** The signal engine proposed a draft (admins get a DM); `autoPublish`: it is being published at once. */
  "draft.created": { draft: StagedSignal; strategy: string; quality: number; autoPublish: boolean };
  "draft.edited": { draft: StagedSignal; actor: string };
  /** A draft was approved (published), rejected or expired: its DMs say so. */
  "draft.settled": { draft: StagedSignal; outcome: "published" | "rejected" | "expired"; actor: string };
  "fire.created": { fire: FireView };
  /** A fire changed state; `leg` is the command that changed, when one did. */
  "fire.updated": { fire: FireView; previousState: string; kind: "delivered" | "result" | "closed" | "expired" };
  "fire.count": { signal_id: string; count: number };
  "stats.updated": { user_id: number; stats: UserStats; xpGained: number };
  "bridge.status": { user_id: number; online: boolean; last_seen: string | null };
  /**
   * Commands are waiting for this user's terminal: wake its long-poll. A committed fire also hands
   * its commands over, so a waiting poll can answer with them without reading them back.
   */
  "commands.ready": { user_id: number; commands?: HandedCommand[] };
  "user.updated": { user_id: number };
  /** An admin (or automatic) update of a signal was stored; `skippedUsers` have protocol-1 terminals. */
  "update.created": { update: UpdateView; signal: Signal; skippedUsers: number[] };
  /** A position command of this fire was queued, delivered or answered (`command` when one changed). */
  "position.updated": { fire_id: string; user_id: number; update_id: string; command?: PositionCommandView };
  /** Every command of `update_id` for this user's terminal has its outcome (applied/rejected/failed). */
  "update.settled": { update_id: string; user_id: number; commands: PositionCommandView[] };
  /** A signal settled (no fire can come or change): its result was stored (track record, issue #17). */
  "signal.result": { signal: Signal; result: SignalResultRow };
  /** A message was stored in the bot's outbox by an instance whose sender is not running (bot/delivery). */
  "outbox.queued": { id: number };
  /** Telegram answered these outbox messages (queued elsewhere): their answer is in the row. */
  "outbox.done": { ids: number[] };
}

/** A small typed event bus. Listeners run synchronously; a throwing listener is logged, never fatal. */
export class Hub {
  private readonly emitter = new EventEmitter();
  private relay: (<K extends keyof HubEvents>(event: K, payload: HubEvents[K]) => void) | null = null;
  private relayedDepth = 0;
  constructor(private readonly onListenerError: (err: unknown, event: string) => void = () => undefined) {
    this.emitter.setMaxListeners(0);
  }

  emit<K extends keyof HubEvents>(event: K, payload: HubEvents[K]): void {
    this.emitLocal(event, payload);
    this.relay?.(event, payload);
  }

  /** Delivers to this process's listeners only (an event relayed from another instance). */
  emitLocal<K extends keyof HubEvents>(event: K, payload: HubEvents[K]): void {
    for (const listener of this.emitter.listeners(event)) {
      try {
        (listener as (p: HubEvents[K]) => void)(payload);
      } catch (err) {
        this.onListenerError(err, event);
      }
    }
  }

  /** Delivers an event relayed from another instance (server/cluster) to this process's listeners. */
  emitRelayed<K extends keyof HubEvents>(event: K, payload: HubEvents[K]): void {
    this.relayedDepth++;
    try {
      this.emitLocal(event, payload);
    } finally {
      this.relayedDepth--;
    }
  }

  /** True while an event from another instance is being delivered (a listener may drop a cache). */
  get relaying(): boolean {
    return this.relayedDepth > 0;
  }

  /** Subscribes; returns the unsubscribe function. */
  on<K extends keyof HubEvents>(event: K, listener: (payload: HubEvents[K]) => void): () => void {
    this.emitter.on(event, listener);
    return () => this.emitter.off(event, listener);
  }

  /** Also hands every event emitted here to `relay` (server/cluster: NOTIFY to the other instances). */
  setRelay(relay: (<K extends keyof HubEvents>(event: K, payload: HubEvents[K]) => void) | null): void {
    this.relay = relay;
  }

  listenerCount(event: keyof HubEvents): number {
    return this.emitter.listenerCount(event);
  }
}
