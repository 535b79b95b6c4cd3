import { request } from "node:http";
import { sign } from "@telegram-apps/init-data-node";

/** What the storm's processes share: one request per connection, user addresses and initData. */

export interface Answer {
  status: number;
  body: string;
  ms: number;
}

/** The address a user's requests come from (X-Forwarded-For behind one trusted proxy). */
export const addressOf = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

/** Resolves at `epochMs` (Date.now() time, the same in every process of the run). */
export const sleepUntil = (epochMs: number) =>
  new Promise((resolve) => setTimeout(resolve, Math.max(0, epochMs - Date.now())));

/** The `Authorization` header of user `firstUserId + i`, signed now. */
export const tmaOf = (signingToken: string, userId: number, i: number) =>
  `tma ${sign({ user: { id: userId, first_name: "Storm" }, query_id: `q${i}` } as never, signingToken, new Date())}`;

/** One request on a connection of its own (no agent: the socket closes after the answer). */
export function send(
  root: URL,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<Answer> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      {
        host: root.hostname,
        port: root.port,
        method,
        path,
        agent: false,
        headers: payload === undefined ? headers : { ...headers, "content-type": "application/json" },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          text += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text, ms: performance.now() - t0 }));
      },
    );
    req.on("error", (err) => resolve({ status: 0, body: String(err), ms: performance.now() - t0 }));
    req.end(payload);
  });
}

/** Counts failures by kind, printing the first three of each to stderr. */
export function errorCounter(who: string) {
  const errors: Record<string, number> = {};
  const failed = (kind: string, detail: string) => {
    errors[kind] = (errors[kind] ?? 0) + 1;
    if (errors[kind] <= 3) console.error(`storm ${who}: ${kind} failed: ${detail.slice(0, 200)}`);
  };
  return { errors, failed };
}

/** CPU seconds (user + system) this process has used so far. */
export function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}
