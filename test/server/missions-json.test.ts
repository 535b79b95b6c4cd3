import { afterEach, describe, expect, it } from "vitest";
import { MissionSchema } from "../../server/schemas.ts";
import { type Harness, startHarness } from "../support/harness.ts";
import { waitFor } from "../support/wait.ts";

/**
 * `GET /api/missions/:id` is written from parts kept between answers (the shared signal per signal
 * object, the user's steady part per overlay row): every answer must still be the whole mission,
 * and a change to the user's data must show in the next answer.
 */
describe("mission JSON from kept parts", () => {
  let h: Harness;
  afterEach(async () => h?.close());

  const mission = async (userId: number, signalId: string) => {
    const res = await h.app.inject({ url: `/api/missions/${signalId}`, headers: { authorization: h.tma(userId) } });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("application/json; charset=utf-8");
    // biome-ignore lint/suspicious/noExplicitAny: a JSON answer read field by field
    return res.json() as Record<string, any>;
  };

  it("answers every member of the schema, and the next answer shows a new note, balance and fire", async () => {
    h = await startHarness();
    const signal = await h.createSignal();
    const token = await h.linkBridge(31);
    await h.heartbeat(token, { balance: 10_000 });

    const first = await mission(31, signal.id);
    // A linked trader's mission lists their terminals; an unlinked one's has every other member.
    expect(Object.keys(first).sort()).toEqual(Object.keys(MissionSchema.properties).sort());
    const unlinked = await mission(33, signal.id);
    expect(Object.keys(unlinked).sort()).toEqual(
      Object.keys(MissionSchema.properties)
        .filter((k) => k !== "terminals")
        .sort(),
    );
    expect(await mission(33, signal.id)).toEqual({ ...unlinked, expires_in_s: expect.any(Number) });
    expect(first.note).toBeNull();
    const again = await mission(31, signal.id); // from the kept parts
    expect(again).toEqual({ ...first, expires_in_s: again.expires_in_s });

    const note = await h.app.inject({
      method: "PUT",
      url: `/api/missions/${signal.id}/note`,
      headers: { authorization: h.tma(31) },
      payload: { text: "wait for the retest" },
    });
    expect(note.statusCode).toBe(200);
    expect((await mission(31, signal.id)).note).toBe("wait for the retest");

    await h.heartbeat(token, { balance: 20_000 });
    const richer = await mission(31, signal.id);
    expect(richer.user.balance).toBe(20_000);
    expect(richer.position.lots).toBeCloseTo(first.position.lots * 2, 2);
    expect(richer.position.risk_amount).toBeCloseTo(first.position.risk_amount * 2, 2);

    expect((await h.fire(31, signal.id)).statusCode).toBe(202);
    const fired = await mission(31, signal.id);
    expect(fired.fire?.signal_id ?? fired.fire?.id).toBeTruthy();
    expect(fired.can_fire).toBe(false);
    // The signal's count follows the fire's answer (announced with the commit's other fan-out).
    await waitFor(async () => (await mission(31, signal.id)).fire_count === 1, 10_000, "the fire counted");
    expect(fired.user.fires_today).toBe(1);

    // Another user's answer has their own steady part, not the first user's.
    const other = await mission(32, signal.id);
    expect(other.user.id).toBe(32);
    expect(other.note).toBeNull();
    expect(other.fire).toBeNull();
  });
});
