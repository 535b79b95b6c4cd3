import { type IncomingMessage, request } from "node:http";
import { addressOf, cpuSeconds, errorCounter, send, sleepUntil, tmaOf } from "./storm-http.ts";

/**
 * A reader process of `npm run bench -- storm` (forked by bench/storm-client.ts with IPC): its
 * share of the users (index % readers === reader) open the Mini App in the storm's window, each a
 * mission GET and then an SSE stream kept open, read to the end. Holding and reading thousands of
 * streams here keeps that work out of the process that times the fires. Each stream remembers the
 * highest fire count it was sent for the storm's signal, so the report can say whether every
 * stream saw the final count.
 *
 * Messages: sends `ready`; on `open {openAt}` opens, then sends `opened`; on `report {finalCount,
 * waitMs}` waits (up to waitMs) for every stream to show finalCount, then sends `report` and exits.
 */
const input = JSON.parse(process.argv[2] ?? "{}") as {
  root: string;
  signingToken: string;
  signalId: string;
  firstUserId: number;
  users: number;
  readers: number;
  reader: number;
  openWindowS: number;
};
const root = new URL(input.root);
const { errors, failed } = errorCounter(`reader ${input.reader}`);
const latencies = { mission: [] as number[], sse_connect: [] as number[] };

interface Stream {
  res: IncomingMessage;
  /** The highest count seen for the storm's signal, and when (Date.now()). */
  count: number;
  countAt: number;
  /** The end of the last chunk: a frame may be split across chunks. */
  tail: string;
  cut: boolean;
}
const streams: Stream[] = [];
const countKey = `"signal_id":"${input.signalId}","count":`;

/** Keeps the highest count in `chunk` (counts only grow, so the last one in it is enough). */
function readCount(stream: Stream, chunk: string) {
  const text = stream.tail + chunk;
  stream.tail = text.slice(-(countKey.length + 12));
  const at = text.lastIndexOf(countKey);
  if (at === -1) return;
  const end = text.indexOf("}", at);
  if (end === -1) return; // the number continues in the next chunk (kept in the tail)
  const count = Number(text.slice(at + countKey.length, end));
  if (count > stream.count) {
    stream.count = count;
    stream.countAt = Date.now();
  }
}

async function open(i: number): Promise<void> {
  const headers = {
    authorization: tmaOf(input.signingToken, input.firstUserId + i, i),
    "x-forwarded-for": addressOf(i),
  };
  const mission = await send(root, "GET", `/api/missions/${input.signalId}`, headers);
  if (mission.status === 200) latencies.mission.push(mission.ms);
  else failed("mission", `${mission.status} ${mission.body}`);
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    const req = request({ host: root.hostname, port: root.port, path: "/api/events", agent: false, headers }, (res) => {
      if (res.statusCode !== 200) {
        failed("sse_connect", `HTTP ${res.statusCode}`);
        res.resume();
        return resolve();
      }
      const stream: Stream = { res, count: 0, countAt: 0, tail: "", cut: false };
      streams.push(stream);
      res.setEncoding("utf8");
      res.once("data", () => {
        latencies.sse_connect.push(performance.now() - t0);
        resolve();
      });
      res.on("data", (chunk: string) => readCount(stream, chunk));
      res.on("end", () => {
        stream.cut = true;
      });
    });
    req.on("error", (err) => {
      failed("sse_connect", String(err));
      resolve();
    });
    req.end();
  });
}

/** The next IPC message of `type` (listening starts at once, so none is missed). */
function next<T>(type: string): Promise<T> {
  return new Promise((resolve) => {
    const listener = (message: { type: string } & T) => {
      if (message.type !== type) return;
      process.off("message", listener);
      resolve(message);
    };
    process.on("message", listener);
  });
}

const opening = next<{ openAt: number }>("open");
const reporting = next<{ finalCount: number; waitMs: number }>("report");
process.send!({ type: "ready" });

const { openAt } = await opening;
const cpuAtOpen = cpuSeconds();
const opens: Array<Promise<void>> = [];
for (let i = input.reader; i < input.users; i += input.readers) {
  await sleepUntil(openAt + (i * input.openWindowS * 1000) / input.users);
  opens.push(open(i));
}
await Promise.all(opens);
const cpuAtFire = cpuSeconds();
process.send!({ type: "opened", latencies, errors });

const { finalCount, waitMs } = await reporting;
const cpuAtEnd = cpuSeconds();
const deadline = Date.now() + waitMs;
while (Date.now() < deadline && streams.some((s) => !s.cut && s.count < finalCount)) await sleepUntil(Date.now() + 50);
const withFinal = streams.filter((s) => s.count >= finalCount);
process.send!(
  {
    type: "report",
    errors,
    streamsOpen: streams.filter((s) => !s.cut).length,
    streamsCut: streams.filter((s) => s.cut).length,
    streamsWithFinalCount: withFinal.length,
    finalCountSeenAt: Math.max(0, ...withFinal.map((s) => s.countAt)),
    cpuS: { open: cpuAtFire - cpuAtOpen, fire: cpuAtEnd - cpuAtFire },
  },
  () => {
    for (const s of streams) s.res.destroy();
    process.exit(0);
  },
);
