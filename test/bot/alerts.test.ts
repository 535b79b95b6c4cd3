import { afterEach, describe, expect, it } from "vitest";
import { type BotWorld, botWorld, GROUP_A, GROUP_B, signalInput } from "./harness.ts";

type Markup = { inline_keyboard: Array<Array<Record<string, string>>> };

describe("group alerts", () => {
  let world: BotWorld;
  afterEach(async () => world?.close());

  it("on restart, posts again where the send failed or never finished, and never where it was posted", async () => {
    world = await botWorld();
    world.telegram.failNext("sendMessage", { code: 400, description: "Bad Request: chat not found" });
    const { signal } = await world.app.signals.create(signalInput(), { source: "api", actor: "admin-token" });
    await world.sortie.notifier.idle();
    const stateOf = async () => new Map((await world.store.alerts.listAlerts(signal.id)).map((r) => [r.chat_id, r]));
    const failedChat = [...(await stateOf()).values()].find((r) => r.state === "failed")!.chat_id;
    const postedChat = failedChat === GROUP_A ? GROUP_B : GROUP_A;
    expect((await stateOf()).get(postedChat)?.state).toBe("posted");

    world.telegram.reset();
    await world.restart();
    await world.sortie.notifier.idle();
    expect(world.sentTo(failedChat)).toHaveLength(1);
    expect(world.sentTo(postedChat)).toHaveLength(0);
    expect((await stateOf()).get(failedChat)?.state).toBe("posted");

    // The process died between claiming the send and hearing back: the row still says sending.
    await world.store.query(
      "UPDATE alerts SET state = 'sending', message_id = NULL WHERE signal_id = ? AND chat_id = ?",
      [signal.id, postedChat],
    );
    world.telegram.reset();
    await world.restart();
    await world.sortie.notifier.idle();
    expect(world.sentTo(postedChat)).toHaveLength(1);
    expect(world.sentTo(failedChat)).toHaveLength(0);
    expect([...(await stateOf()).values()].map((r) => r.state)).toEqual(["posted", "posted"]);
    expect(world.logs.some((l) => l.includes(`in chat ${postedChat} was sending; posting it again`))).toBe(true);

    world.telegram.reset();
    await world.restart();
    await world.sortie.notifier.idle();
    expect(world.telegram.callsOf("sendMessage")).toHaveLength(0);
  });

  it("shows the setup (pattern, session) and who may fire it when not every tier may", async () => {
    world = await botWorld();
    await world.app.signals.create(signalInput({ pattern: "BREAK_AND_RETEST", session: "LONDON", min_tier: "FANG" }), {
      source: "api",
      actor: "admin-token",
    });
    await world.app.signals.create(
      signalInput({ symbol: "GBPUSD", entry: 1.27, stop_loss: 1.268, take_profit: [1.274] }),
      {
        source: "api",
        actor: "admin-token",
      },
    );
    await world.sortie.notifier.idle();
    // The two alerts go out on their own queues: either may come first.
    const sent = world.sentTo(GROUP_A);
    expect(sent).toHaveLength(2);
    const gated = sent.find((t) => t.includes("EURUSD"))!;
    const open = sent.find((t) => t.includes("GBPUSD"))!;
    expect(gated).toContain("\nBreak and retest · London session\n");
    expect(gated).toContain("\n🎖 FANG and above\n");
    expect(open).not.toContain("🎖");
    expect(open).not.toContain("session");
  });

  it("posts one alert per chat whose only button is a url with startapp=<signal id>", async () => {
    world = await botWorld();
    const { signal } = await world.app.signals.create(signalInput(), { source: "api", actor: "admin-token" });
    await world.sortie.notifier.idle();

    const sends = world.telegram.callsOf("sendMessage");
    expect(sends.map((c) => c.payload.chat_id).sort()).toEqual([GROUP_A, GROUP_B].sort());
    for (const call of sends) {
      const text = String(call.payload.text);
      expect(text).toContain("EURUSD BUY");
      expect(text).toMatch(/Entry <code>1\.085<\/code> · Stop <code>1\.083<\/code>/);
      expect(text).toContain("TP1 <code>1.089</code> (R:R 1:2.0)");
      expect(text).toContain("TP2 <code>1.091</code> (R:R 1:3.0)");
      expect(text).toContain("Confidence 89.5%");
      expect(text).toContain("Quality 8.9/10");
      expect(text).toMatch(/Expires \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
      const buttons = (call.payload.reply_markup as Markup).inline_keyboard.flat();
      expect(buttons).toHaveLength(1);
      expect(Object.keys(buttons[0]!).sort()).toEqual(["text", "url"]);
      expect(buttons[0]!.url).toBe(`https://t.me/sortie_test_bot/app?startapp=${signal.id}`);
    }
    const rows = await world.store.alerts.listAlerts(signal.id);
    expect(rows.map((r) => [r.chat_id, r.state]).sort()).toEqual(
      [
        [GROUP_A, "posted"],
        [GROUP_B, "posted"],
      ].sort(),
    );
    expect(rows.every((r) => typeof r.message_id === "number")).toBe(true);
  });

  it("falls back to PUBLIC_URL/mission/<id> without a Mini App direct link", async () => {
    world = await botWorld({ env: { MINIAPP_LINK: "" } });
    const { signal } = await world.app.signals.create(signalInput(), { source: "webhook", actor: "webhook" });
    await world.sortie.notifier.idle();
    const markup = world.telegram.callsOf("sendMessage")[0]!.payload.reply_markup as Markup;
    expect(markup.inline_keyboard).toEqual([
      [{ text: "🎯 Open mission", url: `https://sortie.example/mission/${signal.id}` }],
    ]);
  });

  it("honours a 429 retry_after and still posts exactly once per chat", async () => {
    world = await botWorld({ env: { ALERT_CHAT_IDS: String(GROUP_A) } });
    world.telegram.failNext("sendMessage", { code: 429, retryAfter: 1 });
    const started = Date.now();
    const { signal } = await world.app.signals.create(signalInput(), { source: "api", actor: "admin-token" });
    // The same event delivered again (e.g. a duplicate emit) must not post twice.
    world.app.hub.emit("signal.created", { signal, actor: "admin-token" });
    await world.sortie.notifier.idle();

    const sends = world.telegram.callsOf("sendMessage");
    expect(sends).toHaveLength(2); // the 429 and the retry
    expect(sends[1]!.at - sends[0]!.at).toBeGreaterThanOrEqual(950);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    const posted = world.telegram.message(GROUP_A, 1);
    expect(posted?.text).toContain("EURUSD BUY");
    expect(await world.store.alerts.listAlerts(signal.id)).toMatchObject([
      { chat_id: GROUP_A, state: "posted", message_id: 1 },
    ]);
  });

  it("retries a 5xx inside one send and posts once", async () => {
    world = await botWorld({ env: { ALERT_CHAT_IDS: String(GROUP_A) } });
    world.telegram.failNext("sendMessage", { code: 502 });
    const { signal } = await world.app.signals.create(signalInput(), { source: "api", actor: "admin-token" });
    await world.sortie.notifier.idle();
    expect(world.telegram.callsOf("sendMessage")).toHaveLength(2);
    expect((await world.store.alerts.findAlert(signal.id, GROUP_A))?.state).toBe("posted");
  }, 15_000);

  it("edits the fire count in, then says cancelled and drops the button", async () => {
    world = await botWorld({ env: { ALERT_CHAT_IDS: String(GROUP_A) } });
    const { signal } = await world.app.signals.create(signalInput(), { source: "api", actor: "admin-token" });
    await world.sortie.notifier.idle();
    world.app.hub.emit("fire.count", { signal_id: signal.id, count: 3 });
    await world.telegram.waitFor(() => world.telegram.callsOf("editMessageText").length === 1);
    await world.sortie.notifier.idle();
    expect(world.telegram.message(GROUP_A, 1)?.text).toContain("🔥 3 traders fired");
    expect((await world.store.alerts.findAlert(signal.id, GROUP_A))?.shown_count).toBe(3);

    await world.app.signals.cancel(signal.id, "tg:1001");
    await world.sortie.notifier.idle();
    const final = world.telegram.callsOf("editMessageText").at(-1)!;
    expect(String(final.payload.text)).toContain("CANCELLED");
    expect(final.payload.reply_markup).toEqual({ inline_keyboard: [] });
    expect((await world.store.alerts.findAlert(signal.id, GROUP_A))?.state).toBe("closed");

    // Nothing edits a closed alert again.
    world.app.hub.emit("fire.count", { signal_id: signal.id, count: 4 });
    await new Promise((r) => setTimeout(r, 300));
    await world.sortie.notifier.idle();
    expect(world.telegram.callsOf("editMessageText")).toHaveLength(2);
  });

  it("says expired and drops the button once the signal expires", async () => {
    world = await botWorld({ env: { ALERT_CHAT_IDS: String(GROUP_A) } });
    const { signal } = await world.app.signals.create(signalInput({ expires_in_s: 1, expires_in_min: undefined }), {
      source: "api",
      actor: "admin-token",
    });
    await world.telegram.waitFor(() => world.telegram.callsOf("editMessageText").length === 1, 4_000);
    await world.sortie.notifier.idle();
    const edit = world.telegram.callsOf("editMessageText")[0]!;
    expect(String(edit.payload.text)).toContain("EXPIRED");
    expect(edit.payload.reply_markup).toEqual({ inline_keyboard: [] });
    expect((await world.store.alerts.findAlert(signal.id, GROUP_A))?.state).toBe("closed");
  });
});
