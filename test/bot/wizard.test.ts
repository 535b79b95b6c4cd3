import { afterEach, describe, expect, it } from "vitest";
import { ADMIN_ID, type BotWorld, botWorld, GROUP_A, GROUP_B } from "./harness.ts";

type Markup = { inline_keyboard: Array<Array<{ text: string; callback_data?: string }>> };

/** Answers to every step, in order. */
const HAPPY = [
  "eurusd",
  "buy",
  "1.0850",
  "1.0830",
  "1.0890 1.0910",
  "90",
  "8.5",
  "London open sweep",
  "fang",
  "85",
  "BREAK_AND_RETEST",
];

describe("/signal wizard", () => {
  let world: BotWorld;
  afterEach(async () => world?.close());

  async function answer(...texts: string[]) {
    for (const text of texts) await world.send(ADMIN_ID, text);
  }

  it("walks through every step, previews, and creates the signal on Confirm", async () => {
    world = await botWorld();
    await world.send(ADMIN_ID, "/signal");
    expect(world.sentTo(ADMIN_ID)).toEqual([
      "🧭 New signal. Answer each question: /back returns to the one before, /cancel stops.",
      "1/11 Symbol? (e.g. EURUSD, XAUUSD, or any symbol a linked terminal reports)",
    ]);
    await answer(...HAPPY);
    const preview = world.telegram.callsOf("sendMessage").at(-1)!;
    expect(String(preview.payload.text)).toContain("Preview");
    expect(String(preview.payload.text)).toContain("EURUSD BUY");
    expect(String(preview.payload.text)).toContain("TP1 <code>1.089</code> (R:R 1:2.0)");
    expect(String(preview.payload.text)).toContain("Quality 8.5/10");
    const buttons = (preview.payload.reply_markup as Markup).inline_keyboard.flat();
    expect(buttons.map((b) => b.callback_data)).toEqual(["wiz:confirm", "wiz:cancel", "wiz:confirm_be", "wiz:at"]);
    expect(await world.store.signals.listSignals("all", Date.now(), 10)).toHaveLength(0);

    const previewId = (
      world.telegram.message(ADMIN_ID, world.telegram.callsOf("sendMessage").length) ?? {
        message_id: 0,
      }
    ).message_id;
    await world.tap(ADMIN_ID, "wiz:confirm", ADMIN_ID, previewId);
    const [created] = await world.store.signals.listSignals("all", Date.now(), 10);
    expect(created?.signal).toMatchObject({
      symbol: "EURUSD",
      side: "BUY",
      entry: 1.085,
      stop_loss: 1.083,
      take_profit: [1.089, 1.091],
      shield_score: 8.5,
      shield_notes: "London open sweep",
      min_tier: "FANG",
      confidence: 85,
      pattern: "BREAK_AND_RETEST",
      source: "bot",
    });
    const expiresInMin = (Date.parse(created!.signal.expires_at) - Date.now()) / 60_000;
    expect(expiresInMin).toBeGreaterThan(89);
    expect(expiresInMin).toBeLessThanOrEqual(90);
    expect(world.lastTo(ADMIN_ID)).toContain(`Signal <code>${created!.signal.id}</code> is live`);
    expect(world.telegram.callsOf("editMessageReplyMarkup").at(-1)?.payload).toMatchObject({
      message_id: previewId,
      reply_markup: { inline_keyboard: [] },
    });
    const logged = (
      await world.store.query("SELECT actor FROM events WHERE type = 'signal.created' AND signal_id = ?", [
        created!.signal.id,
      ])
    )[0] as { actor: string };
    expect(logged.actor).toBe(`tg:${ADMIN_ID}`);

    await world.sortie.notifier.idle();
    expect(world.sentTo(GROUP_A)).toHaveLength(1);
    expect(world.sentTo(GROUP_B)).toHaveLength(1);
  });

  const cases: Array<{ step: number; bad: string; message: string }> = [
    {
      step: 0,
      bad: "DOGEMOON",
      message: 'unknown symbol "DOGEMOON": not built in, and no linked terminal has reported it',
    },
    { step: 1, bad: "up", message: "side must be BUY or SELL" },
    { step: 2, bad: "abc", message: "entry must be a number" },
    { step: 2, bad: "-1", message: "entry must be greater than 0" },
    { step: 3, bad: "1.0900", message: "a BUY needs stop loss below entry" },
    { step: 3, bad: "x", message: "stop loss must be a number" },
    { step: 4, bad: "1.0800", message: "a BUY needs every take-profit above entry" },
    { step: 4, bad: "1.0890 nope", message: "take-profit must be a number" },
    { step: 4, bad: "1.09 1.091 1.092 1.093 1.094 1.095", message: "take-profit allows at most 5 prices" },
    { step: 5, bad: "-5", message: "expiry must be in the future" },
    { step: 5, bad: "someday", message: "expiry must be minutes (45), hours (2h) or a UTC date-time" },
    { step: 5, bad: "2020-01-01T00:00:00Z", message: "expiry must be in the future" },
    { step: 6, bad: "11", message: "quality score must be between 0 and 10" },
    { step: 6, bad: "great", message: "quality score must be a number" },
    { step: 7, bad: "x".repeat(2001), message: "notes must be at most 2000 characters" },
    { step: 8, bad: "GOD", message: "tier must be one of NIBBLER, FANG, COMMANDER, APEX" },
    { step: 9, bad: "150", message: "confidence must be between 0 and 100" },
    { step: 9, bad: "high", message: "confidence must be a number" },
    { step: 10, bad: "x".repeat(65), message: "pattern must be at most 64 characters" },
  ];

  it.each(cases)("step $step refuses $bad with a clear message and asks again", async ({ step, bad, message }) => {
    world = await botWorld();
    await world.send(ADMIN_ID, "/signal");
    await answer(...HAPPY.slice(0, step));
    world.telegram.reset();
    await answer(bad);
    const reply = world.lastTo(ADMIN_ID);
    expect(reply).toBe(`❗ ${message}\n${reply.split("\n")[1]}`);
    expect(reply.split("\n")[1]).toMatch(new RegExp(`^${step + 1}/11 `));
    // The right answer moves on.
    await answer(HAPPY[step]!);
    expect(world.lastTo(ADMIN_ID)).toMatch(step === 10 ? /Preview/ : new RegExp(`^${step + 2}/11 `));
  });

  it("/cancel ends the wizard and creates nothing; other commands still work mid-wizard", async () => {
    world = await botWorld();
    await world.send(ADMIN_ID, "/signal");
    await answer("EURUSD", "SELL");
    await world.send(ADMIN_ID, "/stats");
    expect(world.lastTo(ADMIN_ID)).toContain("Last 7 days");
    await answer("1.0850");
    expect(world.lastTo(ADMIN_ID)).toMatch(/^4\/11 /);
    await answer("/cancel");
    expect(world.lastTo(ADMIN_ID)).toBe("Signal wizard cancelled. Nothing was created.");
    await answer("1.0870");
    expect(world.lastTo(ADMIN_ID)).toBe("Signal wizard cancelled. Nothing was created."); // no one is asking now
    expect(await world.store.signals.listSignals("all", Date.now(), 10)).toHaveLength(0);
  });

  it("a restart halfway through loses nothing: the wizard carries on from the next question", async () => {
    world = await botWorld();
    await world.send(ADMIN_ID, "/signal");
    await answer(...HAPPY.slice(0, 4));
    expect(world.lastTo(ADMIN_ID)).toMatch(/^5\/11 /);
    await world.restart();
    world.telegram.reset();
    await answer(...HAPPY.slice(4));
    expect(world.lastTo(ADMIN_ID)).toContain("Preview");
    expect(world.lastTo(ADMIN_ID)).toContain("EURUSD BUY");
    await world.tap(ADMIN_ID, "wiz:confirm");
    const [created] = await world.store.signals.listSignals("all", Date.now(), 10);
    expect(created?.signal).toMatchObject({ symbol: "EURUSD", entry: 1.085, stop_loss: 1.083 });
    // Finished conversations leave no saved state behind.
    const left = (await world.store.query("SELECT COUNT(*) AS n FROM bot_conversations"))[0] as { n: number };
    expect(left.n).toBe(0);
  });

  it("the preview's Cancel button creates nothing", async () => {
    world = await botWorld();
    await world.send(ADMIN_ID, "/signal");
    await answer(...HAPPY);
    await world.tap(ADMIN_ID, "wiz:cancel");
    expect(world.lastTo(ADMIN_ID)).toBe("Signal wizard cancelled. Nothing was created.");
    expect(await world.store.signals.listSignals("all", Date.now(), 10)).toHaveLength(0);
    await world.tap(ADMIN_ID, "wiz:confirm");
    expect(world.telegram.callsOf("answerCallbackQuery").at(-1)?.payload.text).toBe(
      "This preview is no longer active.",
    );
  });

  it("retries a 429 inside the conversation (auto-retry on the conversation's own Api)", async () => {
    world = await botWorld();
    await world.send(ADMIN_ID, "/signal");
    world.telegram.failNext("sendMessage", { code: 429, retryAfter: 1 });
    await answer("EURUSD");
    const prompts = world.telegram.callsOf("sendMessage").filter((c) => String(c.payload.text).startsWith("2/11 "));
    expect(prompts).toHaveLength(2); // refused once with 429, then delivered
    expect(prompts[1]!.at - prompts[0]!.at).toBeGreaterThanOrEqual(950);
    expect(world.logs.filter((l) => l.includes("failed"))).toEqual([]);
  });

  it("/signal in a group asks for a private chat", async () => {
    world = await botWorld();
    await world.send(ADMIN_ID, "/signal", GROUP_A);
    expect(world.lastTo(GROUP_A)).toBe("Run /signal in a private chat with me.");
  });
});

describe("/signal wizard optional steps", () => {
  let world: BotWorld;
  afterEach(async () => world?.close());

  /** The inline buttons under the last message the bot sent the admin. */
  const lastButtons = () =>
    (
      world.telegram.callsOf("sendMessage").at(-1)!.payload.reply_markup as Markup | undefined
    )?.inline_keyboard.flat() ?? [];

  it("offers Skip and tier buttons; skipping keeps the defaults (everyone may fire, no confidence, no pattern)", async () => {
    world = await botWorld();
    await world.send(ADMIN_ID, "/signal");
    for (const text of HAPPY.slice(0, 8)) await world.send(ADMIN_ID, text);
    expect(world.lastTo(ADMIN_ID)).toMatch(/^9\/11 Lowest tier that may fire\?/);
    expect(lastButtons().map((b) => b.callback_data)).toEqual([
      "wiz:ans:min_tier:NIBBLER",
      "wiz:ans:min_tier:FANG",
      "wiz:ans:min_tier:COMMANDER",
      "wiz:ans:min_tier:APEX",
      "wiz:ans:min_tier:skip",
      "wiz:ans:min_tier:back",
    ]);
    // A tap on an earlier question's Skip does not answer this one.
    await world.tap(ADMIN_ID, "wiz:ans:shield_score:skip");
    expect(world.lastTo(ADMIN_ID)).toMatch(/^9\/11 /);
    await world.tap(ADMIN_ID, "wiz:ans:min_tier:skip");
    expect(world.lastTo(ADMIN_ID)).toMatch(/^10\/11 Confidence/);
    expect(lastButtons()).toEqual([
      { text: "Skip", callback_data: "wiz:ans:confidence:skip" },
      { text: "⬅ Back", callback_data: "wiz:ans:confidence:back" },
    ]);
    await world.tap(ADMIN_ID, "wiz:ans:confidence:skip");
    expect(world.lastTo(ADMIN_ID)).toMatch(/^11\/11 Pattern/);
    await world.tap(ADMIN_ID, "wiz:ans:pattern:skip");
    expect(world.lastTo(ADMIN_ID)).toContain("Preview");
    const previewId = world.telegram.callsOf("sendMessage").length;
    await world.tap(ADMIN_ID, "wiz:confirm", ADMIN_ID, previewId);
    const [created] = await world.store.signals.listSignals("all", Date.now(), 10);
    expect(created?.signal).toMatchObject({ min_tier: "NIBBLER", confidence: null, pattern: null, shield_score: 8.5 });
  });

  it("/back and the ⬅ Back button return to the question before; the new answer replaces the old one", async () => {
    world = await botWorld();
    await world.send(ADMIN_ID, "/signal");
    // The first question has no Back button, and /back there says so.
    expect(lastButtons()).toEqual([]);
    await world.send(ADMIN_ID, "/back");
    expect(world.lastTo(ADMIN_ID)).toBe(
      "This is the first question: answer it, or /cancel.\n1/11 Symbol? (e.g. EURUSD, XAUUSD, or any symbol a linked terminal reports)",
    );
    await world.send(ADMIN_ID, "gbpusd");
    expect(world.lastTo(ADMIN_ID)).toMatch(/^2\/11 Side\?/);
    expect(lastButtons()).toEqual([{ text: "⬅ Back", callback_data: "wiz:ans:side:back" }]);
    await world.tap(ADMIN_ID, "wiz:ans:side:back");
    expect(world.lastTo(ADMIN_ID)).toMatch(/^1\/11 Symbol\?/);
    for (const text of ["eurusd", "buy", "1.0850"]) await world.send(ADMIN_ID, text);
    expect(world.lastTo(ADMIN_ID)).toMatch(/^4\/11 Stop loss/);
    await world.tap(ADMIN_ID, "wiz:ans:side:back"); // an earlier question's Back: nothing happens
    expect(world.lastTo(ADMIN_ID)).toMatch(/^4\/11 /);
    await world.send(ADMIN_ID, "/back");
    expect(world.lastTo(ADMIN_ID)).toMatch(/^3\/11 Entry price\?/);
    for (const text of HAPPY.slice(2)) await world.send(ADMIN_ID, text);
    expect(world.lastTo(ADMIN_ID)).toContain("Preview");
    expect(world.lastTo(ADMIN_ID)).toContain("EURUSD BUY");
    await world.tap(ADMIN_ID, "wiz:confirm", ADMIN_ID, world.telegram.callsOf("sendMessage").length);
    const [created] = await world.store.signals.listSignals("all", Date.now(), 10);
    expect(created?.signal).toMatchObject({ symbol: "EURUSD", side: "BUY", entry: 1.085, stop_loss: 1.083 });
    // Outside the wizard, /back has nothing to go back to.
    await world.send(ADMIN_ID, "/back");
    expect(world.lastTo(ADMIN_ID)).toBe("Nothing to go back to: /back works inside the /signal wizard.");
  });

  it("takes the tier from its button", async () => {
    world = await botWorld();
    await world.send(ADMIN_ID, "/signal");
    for (const text of HAPPY.slice(0, 8)) await world.send(ADMIN_ID, text);
    await world.tap(ADMIN_ID, "wiz:ans:min_tier:APEX");
    await world.send(ADMIN_ID, "70%");
    await world.send(ADMIN_ID, "skip");
    expect(world.lastTo(ADMIN_ID)).toContain("Preview");
    await world.tap(ADMIN_ID, "wiz:confirm", ADMIN_ID, world.telegram.callsOf("sendMessage").length);
    const [created] = await world.store.signals.listSignals("all", Date.now(), 10);
    expect(created?.signal).toMatchObject({ min_tier: "APEX", confidence: 70, pattern: null });
  });
});
