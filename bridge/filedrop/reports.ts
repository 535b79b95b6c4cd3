/** Consumes the terminal's reports from `out/`: results and closed positions. */
import { readdir, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import type { ClosedReport, CommandResult } from "../protocol.ts";
import type { FileDropContext } from "./context.ts";
import { errorText } from "./files.ts";
import { quarantineFile } from "./quarantine.ts";
import { isSameFile, readJsonFile } from "./read-json.ts";
import { ClosedReportSchema, CommandResultSchema, describeMismatch } from "./schemas.ts";

type Report = { type: "result"; body: CommandResult } | { type: "closed"; body: ClosedReport };

/**
 * Handles every file now in `out/`: valid reports go to the service and are deleted; anything
 * else is quarantined; `.tmp` files are left to their writer until they are `tmpStaleMs` old.
 */
export async function scanReports(ctx: FileDropContext): Promise<void> {
  let names: string[];
  try {
    names = (await readdir(ctx.outDir)).sort();
  } catch (error) {
    ctx.log(`filedrop: cannot list ${ctx.outDir}: ${errorText(error)}`);
    return;
  }
  for (const name of names) await handleOutFile(ctx, name);
}

async function handleOutFile(ctx: FileDropContext, name: string): Promise<void> {
  const path = join(ctx.outDir, name);
  if (name.endsWith(".tmp")) {
    const modifiedMs = await stat(path).then(
      (stats) => stats.mtimeMs,
      () => null,
    );
    if (modifiedMs !== null && ctx.now() - modifiedMs > ctx.tmpStaleMs)
      await quarantineFile(path, ctx.quarantineDir, "abandoned .tmp file", ctx.log, "out");
    return;
  }
  if (!name.endsWith(".json")) {
    await quarantineFile(path, ctx.quarantineDir, "not a .json report", ctx.log, "out");
    return;
  }
  const outcome = await readJsonFile(path, ctx.settleMs, ctx.now());
  if (outcome.kind === "later") return;
  if (outcome.kind === "bad") {
    await quarantineFile(path, ctx.quarantineDir, outcome.reason, ctx.log, "out");
    return;
  }
  const report = toReport(name, outcome.value);
  if (typeof report === "string") {
    await quarantineFile(path, ctx.quarantineDir, report, ctx.log, "out");
    return;
  }
  try {
    await ctx.service.touch(ctx.userId);
    if (report.type === "result") await ctx.service.submitResult(ctx.userId, report.body);
    else await ctx.service.submitClosed(ctx.userId, report.body);
  } catch (error) {
    // Nothing is lost: a command without a result is redelivered and the terminal re-reports it.
    await quarantineFile(path, ctx.quarantineDir, `refused by the service: ${errorText(error)}`, ctx.log, "out");
    return;
  }
  // A re-report may have replaced the file while we worked: leave that one for the next scan.
  if (await isSameFile(path, outcome.stats)) await unlink(path).catch(() => {});
}

/**
 * The report in a parsed file, or why it is unusable. `type` says which message it is; without
 * one, `<id>.closed.json` is a closed report, and so is `<id>.json` (the contract's one name for
 * both) when its body has the closed report's shape (`close_price`, no `status`); else a result.
 */
function toReport(name: string, value: unknown): Report | string {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "not a JSON object";
  const { type, ...body } = value as Record<string, unknown>;
  const closedShape = "close_price" in body && !("status" in body);
  const kind = type ?? (name.endsWith(".closed.json") || closedShape ? "closed" : "result");
  if (kind === "result") {
    const problem = describeMismatch(CommandResultSchema, body);
    return problem ? `invalid result: ${problem}` : { type: "result", body: body as unknown as CommandResult };
  }
  if (kind === "closed") {
    const problem = describeMismatch(ClosedReportSchema, body);
    return problem ? `invalid closed report: ${problem}` : { type: "closed", body: body as unknown as ClosedReport };
  }
  return `unknown report type ${JSON.stringify(type)}`;
}
