import { draftToSignalInput, type EngineDraft } from "../../../core/engine/index.ts";
import type { StagedSignal } from "../../../core/schedule.ts";
import { type SignalInput, validateSignal } from "../../../core/signal.ts";
import type { StrategySettingsRow } from "../../../db/queries/staged.ts";
import type { Store } from "../../../db/store.ts";
import type { Clock } from "../../clock.ts";
import { ApiError, notFound } from "../../errors.ts";
import type { Hub } from "../../events/hub.ts";
import { newSignalId } from "../../ids.ts";
import { type StagedService, stagedView } from "../staged.ts";
import { symbolLookup } from "../symbol-lookup.ts";

/** Auto-publish is off and needs this quality when an admin turns it on without a threshold. */
export const DEFAULT_MIN_QUALITY = 8;

export interface DraftOptions {
  /** How long a draft waits for an admin before it expires (default 15 min). */
  draftTtlMs: number;
  /** The proposed signal's own life once published, from the draft's creation (default 60 min). */
  signalTtlMin: number;
}

/** What an admin may change on a draft before approving it (Edit). */
export interface DraftEdit {
  entry?: number;
  stop_loss?: number;
  take_profit?: number[];
  expires_in_min?: number;
}

/**
 * The engine's drafts in the store: saved once per setup (the dedup key is unique in the
 * database too), auto-published when the strategy's setting says so, approved / edited /
 * rejected by admins, expired by the clock. Drafts are staged signals: never visible to traders.
 */
export function createDrafts(
  deps: { store: Store; hub: Hub; clock: Clock; staged: StagedService },
  options: DraftOptions,
) {
  const { store, hub, clock, staged } = deps;
  const iso = (ms: number) => new Date(ms).toISOString();

  /** One strategy's settings out of the stored list (the defaults when an admin never set them). */
  function settingsFrom(rows: StrategySettingsRow[], name: string): StrategySettingsRow {
    return (
      rows.find((s) => s.name === name) ?? {
        name,
        auto_publish: false,
        min_quality: DEFAULT_MIN_QUALITY,
        updated_at: iso(0),
        updated_by: null,
      }
    );
  }

  async function settingsOf(name: string): Promise<StrategySettingsRow> {
    return settingsFrom(await store.staged.listStrategySettings(), name);
  }

  async function pendingDraft(id: string) {
    const row = await store.staged.findStaged(id);
    if (row?.kind !== "draft") throw notFound("Draft");
    if (row.state !== "pending") throw new ApiError("CONFLICT", `This draft is already ${row.state}`);
    return row;
  }

  /** Approves a draft: it is published now (alerts as usual). */
  async function approve(id: string, actor: string): Promise<StagedSignal> {
    await pendingDraft(id);
    const outcome = await staged.publish(id, actor);
    if (!outcome.published) {
      if (outcome.reason === "expired") {
        await expire(id);
        throw new ApiError("SIGNAL_EXPIRED", "This draft expired before it was approved");
      }
      throw new ApiError("CONFLICT", "This draft was already decided");
    }
    const draft = stagedView((await store.staged.findStaged(id))!);
    hub.emit("draft.settled", { draft, outcome: "published", actor });
    return draft;
  }

  async function expire(id: string): Promise<void> {
    const draft = await staged.settle(id, "expired", "engine");
    if (draft) hub.emit("draft.settled", { draft, outcome: "expired", actor: "engine" });
  }

  return {
    settingsOf,
    settingsFrom,
    approve,

    /** Stores one engine proposal as a draft; null when invalid or proposed before (any instance). */
    async save(proposal: EngineDraft): Promise<StagedSignal | null> {
      const nowMs = clock.now();
      const input = draftToSignalInput(proposal, options.signalTtlMin);
      const validation = validateSignal(input, nowMs, await symbolLookup(store, input.symbol));
      if (!validation.ok) return null;
      const id = newSignalId(nowMs);
      const saved = await store.transaction(async () => {
        const inserted = await store.staged.insertStaged({
          id,
          kind: "draft",
          signal: validation.value,
          publish_ms: null,
          expires_ms: Math.min(nowMs + options.draftTtlMs, Date.parse(validation.value.expires_at)),
          source: input.source,
          created_by: input.source,
          created_at: iso(nowMs),
          created_ms: nowMs,
          idempotency_key: null,
          body_hash: null,
          dedup_key: input.dedup_key,
          quality: proposal.quality,
        });
        if (inserted) {
          await store.fires.appendEvent(
            { type: "signal.draft_created", actor: input.source, signal_id: id, data: { dedup_key: input.dedup_key } },
            iso(nowMs),
          );
        }
        return inserted;
      });
      if (!saved) return null;
      const settings = await settingsOf(proposal.strategy);
      const auto = settings.auto_publish && proposal.quality >= settings.min_quality;
      const draft = stagedView((await store.staged.findStaged(id))!);
      hub.emit("draft.created", { draft, strategy: proposal.strategy, quality: proposal.quality, autoPublish: auto });
      if (auto) return approve(id, `engine:auto (quality ${proposal.quality} ≥ ${settings.min_quality})`);
      return draft;
    },

    /** Rejects a draft: it never goes out. */
    async reject(id: string, actor: string): Promise<StagedSignal> {
      await pendingDraft(id);
      const draft = await staged.settle(id, "rejected", actor);
      if (!draft) throw new ApiError("CONFLICT", "This draft was already decided");
      hub.emit("draft.settled", { draft, outcome: "rejected", actor });
      return draft;
    },

    /** Changes a pending draft's prices or expiry (checked like any signal); admins then approve it. */
    async edit(id: string, changes: DraftEdit, actor: string): Promise<StagedSignal> {
      const nowMs = clock.now();
      const row = await pendingDraft(id);
      const input: SignalInput = {
        ...row.signal,
        ...changes,
        ...(changes.expires_in_min === undefined ? {} : { expires_at: undefined }),
      };
      const validation = validateSignal(input, nowMs, await symbolLookup(store, input.symbol));
      if (!validation.ok) throw new ApiError("BAD_REQUEST", validation.message, validation.field);
      await store.transaction(async () => {
        if (!(await store.staged.updateStagedSignal(id, validation.value))) {
          throw new ApiError("CONFLICT", "This draft was already decided");
        }
        await store.fires.appendEvent({ type: "signal.draft_edited", actor, signal_id: id, data: changes }, iso(nowMs));
      });
      const draft = stagedView((await store.staged.findStaged(id))!);
      hub.emit("draft.edited", { draft, actor });
      return draft;
    },

    /** Expires drafts past their review deadline (the engine's timer). */
    async expireOverdue(): Promise<number> {
      const due = await store.staged.listOverdueDrafts(clock.now());
      for (const row of due) await expire(row.id);
      return due.length;
    },

    /** Pending drafts, oldest first. */
    async listPending(limit = 50): Promise<StagedSignal[]> {
      return (await store.staged.listPending("draft", limit)).map(stagedView);
    },
  };
}

export type Drafts = ReturnType<typeof createDrafts>;
