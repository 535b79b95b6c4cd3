import type { StagedSignal } from "../../core/schedule.ts";
import type { Button } from "../messenger.ts";
import { signalLines } from "./alert.ts";
import { escapeHtml, utcTime } from "./common.ts";

/** Callback data of the draft buttons: `adm:draft:<approve|edit|reject>:<id>` (the admin guard checks `adm:`). */
export const DRAFT_CALLBACK = "adm:draft:";

const OUTCOME = {
  published: "✅ <b>Approved and published</b>",
  rejected: "✖ <b>Rejected</b>: it never goes out",
  expired: "⌛ <b>Expired</b> before anyone approved it",
} as const;

/**
 * An engine draft as admins see it in their DM: who proposed it, the trade plan with its quality
 * notes, how long it can wait; once decided, what happened and who did it.
 */
export function draftText(
  draft: StagedSignal,
  reviewByMs: number,
  outcome?: { kind: keyof typeof OUTCOME; actor: string },
): string {
  const head = outcome
    ? `${OUTCOME[outcome.kind]}${outcome.kind === "expired" ? "" : ` by ${escapeHtml(outcome.actor)}`}`
    : `🤖 <b>Draft</b> from <code>${escapeHtml(draft.source)}</code>${draft.pattern ? ` · ${escapeHtml(draft.pattern)}` : ""}`;
  return [
    head,
    ...signalLines(draft),
    draft.session ? `Session ${escapeHtml(draft.session)}` : null,
    outcome ? null : `⏳ Approve by ${utcTime(reviewByMs, true)} · the signal expires ${utcTime(draft.expires_at)}`,
    `<code>${draft.id}</code>`,
  ]
    .filter((line) => line !== null)
    .join("\n");
}

/** Approve / Edit / Reject under a pending draft. */
export function draftButtons(id: string): Button[][] {
  return [
    [
      { text: "✅ Approve", callback_data: `${DRAFT_CALLBACK}approve:${id}` },
      { text: "✏️ Edit", callback_data: `${DRAFT_CALLBACK}edit:${id}` },
      { text: "✖ Reject", callback_data: `${DRAFT_CALLBACK}reject:${id}` },
    ],
  ];
}
