import { readFileSync, writeFileSync } from "node:fs";
import autocannon from "autocannon";

/**
 * The burst's load generator, run in its own process so the server under test has the main
 * thread to itself. autocannon (not fetch: its per-request overhead would measure the client)
 * sends each tap once, `concurrency` connections at a time.
 * Input: a JSON file {url, signalId, auths: string[] (one per tap), concurrency}.
 * Output: that path + ".out.json" with the status counts and the elapsed time.
 */
const file = process.argv[2];
if (!file) throw new Error("usage: burst-client <input.json>");
const input = JSON.parse(readFileSync(file, "utf8")) as {
  url: string;
  signalId: string;
  auths: string[];
  concurrency: number;
};
const body = JSON.stringify({ signal_id: input.signalId });
let next = 0;
const t0 = performance.now();
const result = await autocannon({
  url: `${input.url}/api/fire`,
  connections: input.concurrency,
  amount: input.auths.length,
  requests: [
    {
      method: "POST",
      setupRequest: (req) => ({
        ...req,
        body,
        headers: {
          ...req.headers,
          "content-type": "application/json",
          authorization: input.auths[next++ % input.auths.length]!,
        },
      }),
    },
  ],
});
const ms = performance.now() - t0;
const statuses: Record<string, number> = {};
for (const [code, stat] of Object.entries(result.statusCodeStats ?? {}))
  statuses[code] = (stat as { count: number }).count;
writeFileSync(`${file}.out.json`, JSON.stringify({ statuses, ms, errors: result.errors, timeouts: result.timeouts }));
