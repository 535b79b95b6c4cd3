/** The EA's HTTP transport: heartbeat, long-poll for commands, results and closed reports. */
import { errorText } from "../filedrop/files.ts";
import type { Heartbeat } from "../protocol.ts";
import { createBackoff, createQuietLog, type PaperLink, type SendOutcome, sleep } from "./link.ts";
import type { OutboxItem } from "./types.ts";

export interface HttpLinkOptions {
  baseUrl: string;
  token: string;
  /** Long-poll wait in seconds (the server caps it at 30). Default 25. */
  pollWaitS?: number;
  retryBaseMs: number;
  retryMaxMs: number;
  log: (line: string) => void;
}

/** Statuses that will not change on retry: the report is dropped with a log line. */
const PERMANENT_REFUSALS = new Set([400, 404, 409, 410, 422]);

export function createHttpLink(options: HttpLinkOptions): PaperLink {
  const root = options.baseUrl.replace(/\/+$/, "");
  const waitS = options.pollWaitS ?? 25;
  const quiet = createQuietLog(options.log);
  const headers = { authorization: `Bearer ${options.token}`, "content-type": "application/json" };

  async function post(path: string, body: unknown, signal: AbortSignal): Promise<Response> {
    return fetch(`${root}${path}`, {
      method: "POST",
      headers,
      body: JSON.stringify(body),
      signal: AbortSignal.any([signal, AbortSignal.timeout(10_000)]),
    });
  }

  return {
    async runIntake(handle, signal) {
      const backoff = createBackoff(options.retryBaseMs, options.retryMaxMs);
      while (!signal.aborted) {
        try {
          const response = await fetch(`${root}/bridge/v1/commands?wait=${waitS}`, {
            headers,
            signal: AbortSignal.any([signal, AbortSignal.timeout((waitS + 10) * 1000)]),
          });
          if (!response.ok) throw new Error(`HTTP ${response.status} ${await response.text().catch(() => "")}`);
          const answer = (await response.json()) as { commands?: unknown };
          quiet("poll", null);
          backoff.reset();
          const commands = Array.isArray(answer.commands) ? answer.commands : [];
          for (const raw of commands) {
            if (signal.aborted) return;
            await handle(raw);
          }
        } catch (error) {
          if (signal.aborted) return;
          quiet("poll", `paper: polling commands failed: ${errorText(error)}`);
          await sleep(backoff.next(), signal);
        }
      }
    },

    async sendHeartbeat(body: Heartbeat, signal) {
      try {
        const response = await post("/bridge/v1/heartbeat", body, signal);
        await response.arrayBuffer().catch(() => {});
        quiet("heartbeat", response.ok ? null : `paper: heartbeat answered HTTP ${response.status}`);
        return response.ok;
      } catch (error) {
        if (!signal.aborted) quiet("heartbeat", `paper: heartbeat failed: ${errorText(error)}`);
        return false;
      }
    },

    async sendReport(item: OutboxItem, signal): Promise<SendOutcome> {
      const path = item.kind === "result" ? "/bridge/v1/results" : "/bridge/v1/closed";
      try {
        const response = await post(path, item.body, signal);
        const text = await response.text().catch(() => "");
        if (response.ok) {
          quiet("report", null);
          return "sent";
        }
        if (PERMANENT_REFUSALS.has(response.status)) {
          options.log(
            `paper: ${item.kind} ${item.body.id} refused for good (HTTP ${response.status} ${text}); dropped`,
          );
          return "drop";
        }
        quiet("report", `paper: sending ${item.kind} answered HTTP ${response.status}; will retry`);
        return "retry";
      } catch (error) {
        if (!signal.aborted) quiet("report", `paper: sending ${item.kind} failed: ${errorText(error)}; will retry`);
        return "retry";
      }
    },
  };
}
