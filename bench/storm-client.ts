import { type IncomingMessage, request } from "node:http";
import { sign } from "@telegram-apps/init-data-node";

/**
 * The client of `npm run bench -- storm`, in its own process. After an alert (a signal created by
 * the admin API): `users` Mini App users open within `openWindowS` (mission GET, then an SSE
 * stream kept open), then `fireShare` of them fire within `fireWindowS`. Every request is on a
 * connection of its own and carries its user's address (X-Forwarded-For, one trusted proxy). For
 * the users in `terminals`, a terminal long-poll is parked 30 ms before the fire, and the time from
 * sending the fire to the poll's answer is recorded (issue #18's method, during the storm).
 * Input: argv[2] JSON. Output: one JSON line on stdout.
 */
const input = JSON.parse(process.argv[2] ?? "{}") as {
  root: string;
  adminToken: string;
  signingToken: string;
  users: number;
  firstUserId: number;
  fireShare: number;
  openWindowS: number;
  fireWindowS: number;
  terminals: Array<{ index: number; token: string }>;
};
const url = new URL(input.root);
const addressOf = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
const sleepUntil = (t: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, t - performance.now())));

interface Answer {
  status: number;
  body: string;
  ms: number;
}

/** One request on a connection of its own (no agent: the socket closes after the answer). */
function send(method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<Answer> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      {
        host: url.hostname,
        port: url.port,
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

const latencies: Record<"mission" | "sse_connect" | "fire" | "fire_to_terminal", number[]> = {
  mission: [],
  sse_connect: [],
  fire: [],
  fire_to_terminal: [],
};
const errors: Record<string, number> = {};
const failed = (kind: string, detail: string) => {
  errors[kind] = (errors[kind] ?? 0) + 1;
  if (errors[kind] <= 3) console.error(`storm: ${kind} failed: ${detail.slice(0, 200)}`);
};
const streams: IncomingMessage[] = [];
let streamsCut = 0;

const tmaOf = (i: number) =>
  `tma ${sign({ user: { id: input.firstUserId + i, first_name: "Storm" }, query_id: `q${i}` } as never, input.signingToken, new Date())}`;

const created = await send(
  "POST",
  "/api/signals",
  { authorization: `Bearer ${input.adminToken}` },
  {
    symbol: "EURUSD",
    side: "BUY",
    entry: 1.085,
    stop_loss: 1.083,
    take_profit: [1.089, 1.093],
    expires_at: new Date(Date.now() + 3600_000).toISOString(),
    confidence: 80,
    shield_score: 8,
    shield_notes: "storm",
  },
);
if (created.status !== 201) throw new Error(`create signal: ${created.status} ${created.body}`);
const signalId = (JSON.parse(created.body) as { id: string }).id;

async function open(i: number): Promise<void> {
  const headers = { authorization: tmaOf(i), "x-forwarded-for": addressOf(i) };
  const mission = await send("GET", `/api/missions/${signalId}`, headers);
  if (mission.status === 200) latencies.mission.push(mission.ms);
  else failed("mission", `${mission.status} ${mission.body}`);
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    const req = request({ host: url.hostname, port: url.port, path: "/api/events", agent: false, headers }, (res) => {
      if (res.statusCode !== 200) {
        failed("sse_connect", `HTTP ${res.statusCode}`);
        res.resume();
        return resolve();
      }
      res.once("data", () => {
        latencies.sse_connect.push(performance.now() - t0);
        resolve();
      });
      res.on("data", () => undefined);
      res.on("end", () => {
        streamsCut++;
      });
      streams.push(res);
    });
    req.on("error", (err) => {
      failed("sse_connect", String(err));
      resolve();
    });
    req.end();
  });
}

async function fire(i: number, terminalToken: string | null): Promise<void> {
  const headers = { authorization: tmaOf(i), "x-forwarded-for": addressOf(i) };
  let poll: Promise<Answer> | null = null;
  let answeredAt = 0;
  if (terminalToken) {
    poll = send("GET", "/bridge/v1/commands?wait=10", { authorization: `Bearer ${terminalToken}` });
    void poll.then(() => {
      answeredAt = performance.now();
    });
    await new Promise((resolve) => setTimeout(resolve, 30));
  }
  const sentAt = performance.now();
  const fired = await send("POST", "/api/fire", headers, { signal_id: signalId });
  if (fired.status === 202) latencies.fire.push(fired.ms);
  else failed("fire", `${fired.status} ${fired.body}`);
  if (poll) {
    const answer = await poll;
    const commands = answer.status === 200 ? (JSON.parse(answer.body) as { commands: unknown[] }).commands.length : 0;
    if (commands > 0) latencies.fire_to_terminal.push(answeredAt - sentAt);
    else failed("fire_to_terminal", `${answer.status} ${answer.body}`);
  }
}

/** Tells the parent a phase began (it reads the server's CPU time there); returns this process's CPU so far. */
const phase = (name: string) => {
  process.stdout.write(`phase ${name}\n`);
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

const cpuAtOpen = phase("open");
const start = performance.now();
const opening: Array<Promise<void>> = [];
for (let i = 0; i < input.users; i++) {
  await sleepUntil(start + (i * input.openWindowS * 1000) / input.users);
  opening.push(open(i));
}
await Promise.all(opening);
const openedMs = performance.now() - start;

const terminalOf = new Map(input.terminals.map((t) => [t.index, t.token]));
const firing = Array.from({ length: input.users }, (_, i) => i).filter(
  (i) => terminalOf.has(i) || i % Math.round(1 / input.fireShare) === 0,
);
const cpuAtFire = phase("fire");
const fireStart = performance.now();
const fires: Array<Promise<void>> = [];
for (const [k, i] of firing.entries()) {
  await sleepUntil(fireStart + (k * input.fireWindowS * 1000) / firing.length);
  fires.push(fire(i, terminalOf.get(i) ?? null));
}
await Promise.all(fires);
const firedMs = performance.now() - fireStart;
const cpuAtEnd = phase("end");
const clientCpuS = { open: cpuAtFire - cpuAtOpen, fire: cpuAtEnd - cpuAtFire };

const streamsOpen = streams.length - streamsCut;
for (const res of streams) res.destroy();
// Exit once the line is written: a pipe may take a large write in several turns.
process.stdout.write(
  `${JSON.stringify({ latencies, errors, streamsOpen, streamsCut, fires: firing.length, openedMs, firedMs, clientCpuS })}\n`,
  () => process.exit(0),
);
