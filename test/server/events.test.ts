import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../support/harness.ts";

interface Frame {
  id?: string;
  event?: string;
  data?: string;
}

/** Reads SSE frames from a fetch stream until `until` returns true or the timeout passes. */
async function readFrames(res: Response, until: (frames: Frame[]) => boolean, timeoutMs = 5000): Promise<Frame[]> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const frames: Frame[] = [];
  let buffer = "";
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !until(frames)) {
    const chunk = await Promise.race([
      reader.read(),
      new Promise<null>((r) => setTimeout(() => r(null), deadline - Date.now())),
    ]);
    if (!chunk || chunk.done) break;
    buffer += decoder.decode(chunk.value, { stream: true });
    let end = buffer.indexOf("\n\n");
    while (end !== -1) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const frame: Frame = {};
      for (const line of block.split("\n")) {
        const [k, ...rest] = line.split(": ");
        if (k === "id" || k === "event" || k === "data") frame[k] = rest.join(": ");
      }
      if (frame.event) frames.push(frame);
      end = buffer.indexOf("\n\n");
    }
  }
  await reader.cancel();
  return frames;
}

describe("GET /api/events", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ listen: true, app: { sse: { coalesceMs: 100 } } });
  });
  afterAll(() => h.close());

  const open = (user: number, lastEventId?: string) =>
    fetch(`${h.url}/api/events`, {
      headers: { authorization: h.tma(user), ...(lastEventId ? { "last-event-id": lastEventId } : {}) },
    });

  it("needs initData", async () => {
    const res = await fetch(`${h.url}/api/events`);
    expect(res.status).toBe(401);
    expect((await res.json()).error.code).toBe("UNAUTHORIZED");
  });

  it("streams own fire updates and public fire counts, not other users' fires; resumes with Last-Event-ID", async () => {
    const signal = await h.createSignal();
    const a = 7001;
    const b = 7002;
    for (const id of [a, b]) await h.heartbeat(await h.linkBridge(id));
    const streamA = await open(a);
    const streamB = await open(b);
    expect(streamA.headers.get("content-type")).toContain("text/event-stream");
    await h.app.inject({
      method: "POST",
      url: "/api/fire",
      headers: { authorization: h.tma(a) },
      payload: { signal_id: signal.id },
    });
    const framesB = await readFrames(streamB, (f) => f.some((x) => x.event === "fire_count_update"));
    expect(framesB.find((f) => f.event === "fire_count_update")?.data).toBe(
      JSON.stringify({ signal_id: signal.id, count: 1 }),
    );
    expect(framesB.some((f) => f.event === "fire_update")).toBe(false);
    const framesA = await readFrames(
      streamA,
      (f) => f.some((x) => x.event === "fire_update") && f.some((x) => x.event === "fire_count_update"),
    );
    const fireFrame = framesA.find((f) => f.event === "fire_update")!;
    expect(JSON.parse(fireFrame.data!).fire.user_id).toBe(a);

    // Cancel while A is away; A resumes from its last id and gets the status change.
    await h.app.inject({ method: "POST", url: `/api/signals/${signal.id}/cancel`, headers: h.admin });
    const lastId = framesA.at(-1)!.id!;
    const resumed = await readFrames(await open(a, lastId), (f) => f.some((x) => x.event === "mission_status_update"));
    expect(resumed.find((f) => f.event === "mission_status_update")?.data).toBe(
      JSON.stringify({ signal_id: signal.id, status: "cancelled" }),
    );
  });

  it("coalesces a burst of fires into a bounded number of count events", async () => {
    const signal = await h.createSignal();
    const watcher = await open(7100);
    const users = Array.from({ length: 150 }, (_, i) => 7200 + i);
    for (const id of users) await h.heartbeat(await h.linkBridge(id));
    const started = Date.now();
    await Promise.all(
      users.map((id) =>
        h.app.inject({
          method: "POST",
          url: "/api/fire",
          headers: { authorization: h.tma(id) },
          payload: { signal_id: signal.id },
        }),
      ),
    );
    const frames = await readFrames(watcher, (f) =>
      f.some((x) => x.event === "fire_count_update" && JSON.parse(x.data!).count === 150),
    );
    const counts = frames.filter((f) => f.event === "fire_count_update");
    expect(JSON.parse(counts.at(-1)!.data!).count).toBe(150);
    // At most one count event per 250 ms window the burst spanned (150 fires take longer on a
    // loaded machine, and longer on PostgreSQL), never one per fire.
    const windows = Math.ceil((Date.now() - started) / 250) + 1;
    expect(counts.length).toBeLessThanOrEqual(Math.max(10, windows));
    expect(counts.length).toBeLessThan(150);
  });
});
