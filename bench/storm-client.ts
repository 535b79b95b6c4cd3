import { type ChildProcess, fork } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { type Answer, addressOf, cpuSeconds, errorCounter, send, sleepUntil, tmaOf } from "./storm-http.ts";

/**
 * The client of `npm run bench -- storm`, in processes of its own. After an alert (a signal
 * created by the admin API): `users` Mini App users open within `openWindowS` (mission GET, then an
 * SSE stream kept open), then `fireShare` of them fire within `fireWindowS`. Every request is on a
 * connection of its own and carries its user's address (X-Forwarded-For, one trusted proxy).
 *
 * The users are opened and their streams held and read by `readers` processes
 * (bench/storm-streams.ts); this process only fires and times the fires, so reading thousands of
 * streams does not delay the answers it times. For the users in `terminals`, a terminal long-poll
 * is parked 30 ms before the fire, and the time from sending the fire to the poll's answer is
 * recorded (issue #18's method, during the storm); between fires, a `GET /health` on a connection
 * of its own gives the round trip with no work behind it, in the same conditions. After the
 * fires, the readers wait for every stream to show the final count.
 * Input: argv[2] JSON. Output: a `phase <name>` line as each phase begins (the parent reads the
 * server's CPU time there), then one JSON line with the results.
 */
const input = JSON.parse(process.argv[2] ?? "{}") as {
  root: string;
  adminToken: string;
  signingToken: string;
  users: number;
  readers: number;
  firstUserId: number;
  fireShare: number;
  openWindowS: number;
  fireWindowS: number;
  terminals: Array<{ index: number; token: string }>;
};
const root = new URL(input.root);
const { errors, failed } = errorCounter("firer");
const latencies = {
  mission: [] as number[],
  sse_connect: [] as number[],
  fire: [] as number[],
  fire_to_terminal: [] as number[],
  health: [] as number[],
};

const phase = (name: string) => {
  process.stdout.write(`phase ${name}\n`);
  return cpuSeconds();
};

const created = await send(
  root,
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

interface ReaderReport {
  errors: Record<string, number>;
  streamsOpen: number;
  streamsCut: number;
  streamsWithFinalCount: number;
  finalCountSeenAt: number;
  cpuS: { open: number; fire: number };
}

/** Waits for one message of `type` from `child`. */
function message<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const listener = (m: { type: string } & T) => {
      if (m.type !== type) return;
      child.off("message", listener);
      resolve(m);
    };
    child.on("message", listener);
    child.once("exit", (code) => reject(new Error(`storm reader exited with ${code} before "${type}"`)));
  });
}

const readers = Array.from({ length: input.readers }, (_, reader) =>
  fork(
    join(import.meta.dirname, "storm-streams.ts"),
    [JSON.stringify({ ...input, terminals: undefined, adminToken: undefined, signalId, reader })],
    { execArgv: ["--max-old-space-size=4096", "--import", "tsx"], stdio: ["ignore", "ignore", "inherit", "ipc"] },
  ),
);
await Promise.all(readers.map((r) => message(r, "ready")));

async function fire(i: number, terminalToken: string | null): Promise<void> {
  const headers = {
    authorization: tmaOf(input.signingToken, input.firstUserId + i, i),
    "x-forwarded-for": addressOf(i),
  };
  let poll: Promise<Answer> | null = null;
  let answeredAt = 0;
  if (terminalToken) {
    poll = send(root, "GET", "/bridge/v1/commands?wait=10", { authorization: `Bearer ${terminalToken}` });
    void poll.then(() => {
      answeredAt = performance.now();
    });
    await new Promise((resolve) => setTimeout(resolve, 30));
  }
  const sentAt = performance.now();
  const fired = await send(root, "POST", "/api/fire", headers, { signal_id: signalId });
  if (fired.status === 202) latencies.fire.push(fired.ms);
  else failed("fire", `${fired.status} ${fired.body}`);
  if (poll) {
    const answer = await poll;
    const commands = answer.status === 200 ? (JSON.parse(answer.body) as { commands: unknown[] }).commands.length : 0;
    if (commands > 0) latencies.fire_to_terminal.push(answeredAt - sentAt);
    else failed("fire_to_terminal", `${answer.status} ${answer.body}`);
  }
}

/** A plain round trip (`GET /health`, a connection of its own) between fires: the storm's floor. */
async function probe(i: number): Promise<void> {
  const answer = await send(root, "GET", "/health", { "x-forwarded-for": addressOf(i) });
  if (answer.status === 200) latencies.health.push(answer.ms);
  else failed("health", `${answer.status} ${answer.body}`);
}

const cpuAtOpen = phase("open");
const openAt = Date.now() + 100;
const opened = readers.map((r) => message<{ latencies: Record<"mission" | "sse_connect", number[]> }>(r, "opened"));
for (const r of readers) r.send({ type: "open", openAt });
for (const done of opened) {
  const { latencies: theirs } = await done;
  latencies.mission.push(...theirs.mission);
  latencies.sse_connect.push(...theirs.sse_connect);
}
const openedMs = Date.now() - openAt;

const terminalOf = new Map(input.terminals.map((t) => [t.index, t.token]));
const firing = Array.from({ length: input.users }, (_, i) => i).filter(
  (i) => terminalOf.has(i) || i % Math.round(1 / input.fireShare) === 0,
);
const cpuAtFire = phase("fire");
const fireStart = Date.now();
const fires: Array<Promise<void>> = [];
const period = (input.fireWindowS * 1000) / firing.length;
for (const [k, i] of firing.entries()) {
  await sleepUntil(fireStart + k * period);
  fires.push(fire(i, terminalOf.get(i) ?? null));
  await sleepUntil(fireStart + (k + 0.5) * period);
  fires.push(probe(i));
}
await Promise.all(fires);
const firedAt = Date.now();
const cpuAtEnd = phase("end");

// Every accepted fire is counted; the readers wait (up to 30 s) for every stream to show it.
const reports = readers.map((r) => message<ReaderReport>(r, "report"));
for (const r of readers) r.send({ type: "report", finalCount: latencies.fire.length, waitMs: 30_000 });
const done = await Promise.all(reports);
await Promise.all(readers.map((r) => (r.exitCode === null ? once(r, "exit") : undefined)));
for (const report of done)
  for (const [kind, n] of Object.entries(report.errors)) errors[kind] = (errors[kind] ?? 0) + n;
const sum = (f: (r: ReaderReport) => number) => done.reduce((total, r) => total + f(r), 0);

const result = {
  latencies,
  errors,
  streamsOpen: sum((r) => r.streamsOpen),
  streamsCut: sum((r) => r.streamsCut),
  streamsWithFinalCount: sum((r) => r.streamsWithFinalCount),
  finalCount: latencies.fire.length,
  finalCountLastSeenMs: Math.max(0, ...done.map((r) => r.finalCountSeenAt - firedAt)),
  fires: firing.length,
  openedMs,
  firedMs: firedAt - fireStart,
  clientCpuS: {
    firer: { open: cpuAtFire - cpuAtOpen, fire: cpuAtEnd - cpuAtFire },
    readers: { open: sum((r) => r.cpuS.open), fire: sum((r) => r.cpuS.fire) },
  },
};
// Exit once the line is written: a pipe may take a large write in several turns.
process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
