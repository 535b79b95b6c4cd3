import { afterEach, describe, expect, it } from "vitest";
import { ADMIN_COMMANDS, staffCommandsFor, TRADER_COMMANDS } from "../../bot/commands.ts";
import { ADMIN_ID, type BotWorld, botWorld, signalInput, TRADER_ID } from "./harness.ts";

const SIGNAL_ADMIN = 5005;
const ANALYST = 6006;

describe("staff roles in the bot", () => {
  let world: BotWorld;
  afterEach(async () => world?.close());

  const start = () =>
    botWorld({ env: { ALERT_CHAT_IDS: "", SIGNAL_ADMIN_IDS: String(SIGNAL_ADMIN), ANALYST_IDS: String(ANALYST) } });

  it("lets an analyst read stats but not run signals or change tiers", async () => {
    world = await start();
    await world.send(ANALYST, "/stats");
    expect(world.lastTo(ANALYST)).toContain("Last 7 days");
    await world.send(ANALYST, "/signals");
    expect(world.lastTo(ANALYST)).toBe("⛔ This command is for Sortie admins only.");
    await world.send(ANALYST, `/tier ${TRADER_ID} APEX`);
    expect(world.lastTo(ANALYST)).toBe("⛔ This command is for Sortie owners only.");
    await world.send(ANALYST, "/audit");
    expect(world.lastTo(ANALYST)).toBe("⛔ This command is for Sortie admins only.");
  });

  it("lets an admin run signals and read the audit log, but not change tiers; the owner can", async () => {
    world = await start();
    const { signal } = await world.app.signals.create(signalInput(), { source: "api", actor: "admin-token" });
    await world.send(SIGNAL_ADMIN, `/cancel_signal ${signal.id}`);
    expect((await world.store.signals.findSignal(signal.id))?.status).toBe("cancelled");
    await world.store.users.ensureUser({ id: TRADER_ID }, new Date().toISOString());
    await world.send(SIGNAL_ADMIN, `/tier ${TRADER_ID} APEX`);
    expect(world.lastTo(SIGNAL_ADMIN)).toBe("⛔ This command is for Sortie owners only.");
    expect((await world.store.users.findUser(TRADER_ID))?.tier).toBe("NIBBLER");
    await world.send(ADMIN_ID, `/tier ${TRADER_ID} APEX`);
    expect((await world.store.users.findUser(TRADER_ID))?.tier).toBe("APEX");

    await world.send(SIGNAL_ADMIN, "/audit 4");
    const lines = world.lastTo(SIGNAL_ADMIN).split("\n");
    expect(lines[0]).toBe("🗂 <b>Audit log</b>, newest first (4):");
    // Newest first: the /audit itself, the owner's tier change (command, then its effect), the refusal.
    expect(lines[1]).toMatch(new RegExp(`tg:${SIGNAL_ADMIN} ran /audit 4$`));
    expect(lines[2]).toMatch(new RegExp(`tg:${ADMIN_ID} set user ${TRADER_ID} tier NIBBLER → APEX$`));
    expect(lines[3]).toMatch(new RegExp(`tg:${ADMIN_ID} ran /tier ${TRADER_ID} APEX$`));
    expect(lines[4]).toMatch(new RegExp(`tg:${SIGNAL_ADMIN} was refused /tier \\(needs owner\\)$`));
  });

  it("publishes each staff member the commands of their role", async () => {
    world = await start();
    await world.sortie.stop();
    world.telegram.reset();
    await world.sortie.start();
    const menus = world.telegram
      .callsOf("setMyCommands")
      .map((c) => c.payload as { commands: Array<{ command: string }>; scope: { chat_id?: number } });
    const menuOf = (id: number) => menus.find((m) => m.scope.chat_id === id)?.commands.map((c) => c.command);
    expect(menuOf(ADMIN_ID)).toEqual([...TRADER_COMMANDS, ...ADMIN_COMMANDS].map((c) => c.command));
    expect(menuOf(ANALYST)).toEqual([...TRADER_COMMANDS, ...staffCommandsFor("analyst")].map((c) => c.command));
    expect(menuOf(ANALYST)).toContain("stats");
    expect(menuOf(ANALYST)).not.toContain("signal");
    expect(menuOf(SIGNAL_ADMIN)).toContain("audit");
    expect(menuOf(SIGNAL_ADMIN)).not.toContain("tier");
  });
});
