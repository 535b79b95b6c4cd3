import { afterEach, describe, expect, it } from "vitest";
import { loggerOptions } from "../../server/app.ts";
import { type Harness, startHarness } from "../support/harness.ts";

/** Request logging: one short line on the hot routes, Fastify's two lines elsewhere. */
describe("request logging", () => {
  let h: Harness;
  afterEach(async () => h?.close());

  async function start(level: string) {
    const lines: Array<Record<string, unknown>> = [];
    h = await startHarness({
      app: { logger: loggerOptions(level, { write: (line) => lines.push(JSON.parse(line)) }) },
    });
    return lines;
  }

  it("logs a fire in one info line with its route, status and time, its repeats and a mission read not at info", async () => {
    const lines = await start("info");
    const signal = await h.createSignal();
    const token = await h.linkBridge(7);
    await h.heartbeat(token);
    lines.length = 0;
    const mission = await h.app.inject({ url: `/api/missions/${signal.id}`, headers: { authorization: h.tma(7) } });
    expect(mission.statusCode).toBe(200);
    expect(lines).toEqual([]);
    const fired = await h.fire(7, signal.id);
    expect(fired.statusCode).toBe(202);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ msg: "request completed", route: "/api/fire", status: 202, level: 30 });
    expect(typeof lines[0]!.ms).toBe("number");
    expect(lines[0]!.reqId).toBeDefined();
    // A burst's repeats (200, duplicate) stay out of the info log; a refused tap does not.
    expect((await h.fire(7, signal.id)).statusCode).toBe(200);
    expect(lines).toHaveLength(1);
    const other = await h.createSignal();
    await h.app.inject({ method: "POST", url: `/api/signals/${other.id}/cancel`, headers: h.admin });
    expect((await h.fire(7, other.id)).statusCode).toBe(410);
    const fires = lines.filter((l) => l.route === "/api/fire");
    expect(fires.map((l) => [l.status, l.level])).toEqual([
      [202, 30],
      [410, 30],
    ]);
  });

  it("logs a fire's repeats at debug", async () => {
    const lines = await start("debug");
    const signal = await h.createSignal();
    await h.heartbeat(await h.linkBridge(9));
    expect((await h.fire(9, signal.id)).statusCode).toBe(202);
    expect((await h.fire(9, signal.id)).statusCode).toBe(200);
    const fires = lines.filter((l) => l.route === "/api/fire");
    expect(fires.map((l) => [l.status, l.level])).toEqual([
      [202, 30],
      [200, 20],
    ]);
  });

  it("logs a refused mission read at info, and no arrival line", async () => {
    const lines = await start("debug");
    const missing = await h.app.inject({ url: "/api/missions/s_missing", headers: { authorization: h.tma(8) } });
    expect(missing.statusCode).toBe(404);
    const completed = lines.filter((l) => l.msg === "request completed");
    expect(completed).toHaveLength(1);
    expect(completed[0]).toMatchObject({ route: "/api/missions/:signalId", status: 404, level: 30 });
    expect(lines.some((l) => l.msg === "incoming request")).toBe(false);
  });

  it("keeps Fastify's incoming and completed lines on other routes", async () => {
    const lines = await start("info");
    await h.app.inject({ url: "/api/signals", headers: h.admin });
    expect(lines.map((l) => l.msg)).toEqual(["incoming request", "request completed"]);
  });
});
